import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { NoteContent, RichTextNode } from '../../shared/notes/content';
import { rpcQueryKey } from '../rpc/hooks';
import { useRpcClient } from '../rpc/RpcProvider';
import { registerFlush } from '../vault/flush-registry';
import { DraftSaver, type DraftSaverOptions, type SaveState } from './draft-saver';

/** Refusals that trying again cannot fix: the note was signed (here or elsewhere) or is gone. */
const TERMINAL = ['NOTE_LOCKED', 'NOT_FOUND', 'FORBIDDEN', 'BAD_REQUEST'] as const;

/**
 * An autosave wired to every moment text could be lost: the debounce after each change, the
 * core's lock (flush registry: the Lock button and the idle lock's `vault.locking` both run it
 * before the cache closes), leaving the page (route change unmounts the form), and the window
 * being hidden or closed. `save` is read once, when the form mounts.
 */
function useAutosave<T>(
  id: string,
  revision: number,
  save: DraftSaverOptions<T>['save'],
): { saver: DraftSaver<T>; state: SaveState } {
  const [state, setState] = useState<SaveState>({ kind: 'saved', at: null });
  const [saver] = useState(
    () => new DraftSaver<T>({ noteId: id, revision, save, onState: setState, terminalCodes: TERMINAL }),
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
      // Leaving (another page, a lock): what is queued goes now. A failed save keeps retrying by
      // itself after the form is gone.
      void saver.flush();
    };
  }, [saver]);

  return { saver, state };
}

/**
 * The autosave of the draft note open in the editor (`notes.saveDraft`), and the size of the
 * content last saved (null until a save in this editor), for the long-note notice.
 */
export function useDraftSaver(
  noteId: string,
  revision: number,
): { saver: DraftSaver<NoteContent>; state: SaveState; contentBytes: number | null } {
  const client = useRpcClient();
  const queryClient = useQueryClient();
  const [contentBytes, setContentBytes] = useState<number | null>(null);
  const autosave = useAutosave<NoteContent>(noteId, revision, async (input) => {
    const result = await client.call('notes.saveDraft', input);
    setContentBytes(result.contentBytes);
    // Kept beside a newer version: the note now has a conflict, and the page shows the merge
    // screen (also for a save sent as the editor closed).
    if (result.keptBeside)
      void queryClient.invalidateQueries({ queryKey: rpcQueryKey('notes.get', { noteId: input.noteId }) });
    return result;
  });
  return { ...autosave, contentBytes };
}

/**
 * The autosave of an addendum being written (`notes.saveAddendumDraft`): kept on this
 * workstation until it is signed. There are no revisions: one editor writes one addendum.
 */
export function useAddendumDraftSaver(
  noteId: string,
  addendumId: string,
): { saver: DraftSaver<RichTextNode>; state: SaveState } {
  const client = useRpcClient();
  return useAutosave<RichTextNode>(addendumId, 0, async ({ content }) => {
    const result = await client.call('notes.saveAddendumDraft', { noteId, addendumId, doc: content });
    return { draftRevision: 0, savedAt: result.savedAt ?? new Date().toISOString() };
  });
}
