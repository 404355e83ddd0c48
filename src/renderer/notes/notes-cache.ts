import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import type { NoteDetail } from '../../shared/notes/rpc';
import { rpcQueryKey, useRpcEvent } from '../rpc/hooks';

/** Lists that show notes: re-read after a change here or a pull from the clinic server. */
const NOTE_LISTS = ['notes.list', 'notes.search', 'notes.cosignQueue', 'client.overview'] as const;

export function invalidateNoteLists(queryClient: QueryClient): void {
  for (const method of NOTE_LISTS) void queryClient.invalidateQueries({ queryKey: ['rpc', method] });
}

/** A note changed here (signed, addendum, co-signed, merged): show the new state and refresh the lists. */
export function noteChanged(queryClient: QueryClient, detail: NoteDetail): void {
  queryClient.setQueryData(rpcQueryKey('notes.get', { noteId: detail.id }), detail);
  invalidateNoteLists(queryClient);
}

/**
 * Records arrived from the clinic server: re-read the note lists, and open notes of the
 * clients concerned (an open draft decides itself whether to take a newer revision).
 */
export function useNotesSyncRefresh(): void {
  const queryClient = useQueryClient();
  useRpcEvent('sync.dataChanged', ({ clientIds, all }) => {
    for (const method of NOTE_LISTS.slice(0, 3)) void queryClient.invalidateQueries({ queryKey: ['rpc', method] });
    void queryClient.invalidateQueries({
      queryKey: ['rpc', 'notes.get'],
      predicate: (query) => {
        const data = query.state.data as NoteDetail | undefined;
        return all || (data !== undefined && clientIds.includes(data.clientId));
      },
    });
  });
  // A round ended: "Waiting to sync" may have become synced.
  useRpcEvent('sync.statusChanged', () => {
    for (const method of NOTE_LISTS.slice(0, 3)) void queryClient.invalidateQueries({ queryKey: ['rpc', method] });
  });
}

/** Notes signed in this window a moment ago: their record view takes the focus the editor had. */
const justSigned = new Set<string>();

export function markJustSigned(noteId: string): void {
  justSigned.add(noteId);
}

/** True once after `markJustSigned(noteId)`. */
export function takeJustSigned(noteId: string): boolean {
  return justSigned.delete(noteId);
}
