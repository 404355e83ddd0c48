import { useEffect, useState } from 'react';
import type { NoteContent } from '../../shared/notes/content';
import { useRpcClient } from '../rpc/RpcProvider';
import { registerFlush } from '../vault/flush-registry';
import { DraftSaver, type SaveState } from './draft-saver';

/** Refusals that trying again cannot fix: the note was signed (here or elsewhere) or is gone. */
const TERMINAL = ['NOTE_LOCKED', 'NOT_FOUND', 'FORBIDDEN', 'BAD_REQUEST'] as const;

/**
 * The autosave of the draft open in the editor, wired to every moment text could be lost:
 * the debounce after each change, the core's lock (flush registry: the Lock button and the
 * idle lock's `vault.locking` both run it before the cache closes), leaving the page (route
 * change unmounts the editor), and the window being hidden or closed.
 */
export function useDraftSaver(noteId: string, revision: number): { saver: DraftSaver<NoteContent>; state: SaveState } {
  const client = useRpcClient();
  const [state, setState] = useState<SaveState>({ kind: 'saved', at: null });
  const [saver] = useState(
    () =>
      new DraftSaver<NoteContent>({
        noteId,
        revision,
        save: (input) => client.call('notes.saveDraft', input),
        onState: setState,
        terminalCodes: TERMINAL,
      }),
  );

  useEffect(() => {
    const flush = (): void => {
      void saver.flush();
    };
    const onVisibility = (): void => {
      if (document.visibilityState === 'hidden') flush();
    };
    const unregister = registerFlush(() => saver.flush());
    window.addEventListener('pagehide', flush);
    window.addEventListener('beforeunload', flush);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      unregister();
      window.removeEventListener('pagehide', flush);
      window.removeEventListener('beforeunload', flush);
      document.removeEventListener('visibilitychange', onVisibility);
      // Leaving the editor (another page, a lock): what is queued goes now. A failed save keeps
      // retrying by itself after the editor is gone.
      void saver.flush();
    };
  }, [saver]);

  return { saver, state };
}
