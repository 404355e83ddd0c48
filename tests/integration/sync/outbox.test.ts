import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openWorkstationStore, type WorkstationStore } from '../../../src/core/store/workstation-store';
import { KEEP_APPLIED_MS, Outbox } from '../../../src/core/sync/outbox';
import { PersistentClock, replicaId } from '../../../src/core/sync/replica';
import { unavailableKeychain } from '../../../src/core/vault/keychain';
import { compareHlc } from '../../../src/shared/sync/hlc';
import { RpcError } from '../../../src/shared/rpc/errors';
import {
  MAX_MUTATION_ARGS_BYTES,
  MAX_PUSH_BODY_BYTES,
  pushRequestSchema,
  SYNC_PROTOCOL_VERSION,
} from '../../../src/shared/sync/protocol';
import { tempDir } from '../../helpers/temp-dir';
import { FAST_SCRYPT, MIGRATIONS_DIR } from '../store/seed';

const PASSPHRASE = 'outbox test passphrase';

async function openStore(profileDir: string): Promise<WorkstationStore> {
  const store = await openWorkstationStore({
    profileDir,
    migrationsDir: MIGRATIONS_DIR,
    keychain: unavailableKeychain(),
    scrypt: FAST_SCRYPT,
  });
  const status = await store.vault.status();
  if (status.state === 'uninitialised') await store.vault.create(PASSPHRASE);
  else await store.vault.unlock(PASSPHRASE);
  return store;
}

const clientId = randomUUID();
const draft = (n: number) => ({
  name: 'note.saveDraft' as const,
  clientId,
  args: { noteId: `note-${n}`, text: `draft ${n}` },
  entity: { type: 'note', id: `note-${n}` },
});

describe('outbox (real encrypted store)', () => {
  it('numbers mutations strictly increasing per replica, with increasing clocks, in the protocol shape', async () => {
    const store = await openStore(tempDir());
    try {
      const outbox = new Outbox(store.db, new PersistentClock(store.db));
      const ids = [1, 2, 3].map((n) => outbox.enqueue(draft(n)));
      expect(ids).toEqual([1, 2, 3]);
      const batch = outbox.nextBatch(10);
      expect(batch.map((m) => m.mutationId)).toEqual([1, 2, 3]);
      expect(compareHlc(batch[0]!.hlc, batch[1]!.hlc)).toBe(-1);
      expect(compareHlc(batch[1]!.hlc, batch[2]!.hlc)).toBe(-1);
      const request = { protocolVersion: SYNC_PROTOCOL_VERSION, replicaId: replicaId(store.db), mutations: batch };
      expect(pushRequestSchema.safeParse(request).success).toBe(true);
      expect(outbox.counts()).toEqual({ pending: 3, rejected: 0, conflicts: 0 });
    } finally {
      store.close();
    }
  });

  it('keeps numbering, replica and clock across lock, unlock and a restart', async () => {
    const profile = tempDir();
    let store = await openStore(profile);
    const outbox = new Outbox(store.db, new PersistentClock(store.db));
    outbox.enqueue(draft(1));
    const lastHlc = outbox.nextBatch(1)[0]!.hlc;
    const replica = replicaId(store.db);
    store.close();

    // The wall clock went back an hour while the workstation was off.
    store = await openStore(profile);
    try {
      const later = new Outbox(store.db, new PersistentClock(store.db, () => Date.now() - 3_600_000));
      expect(later.enqueue(draft(2))).toBe(2);
      expect(replicaId(store.db)).toBe(replica);
      const second = later.nextBatch(10)[1]!;
      expect(compareHlc(lastHlc, second.hlc)).toBe(-1);
    } finally {
      store.close();
    }
  });

  it('applies push results: applied and duplicate leave, rejected and conflicts stay with their reason', async () => {
    const store = await openStore(tempDir());
    try {
      const outbox = new Outbox(store.db, new PersistentClock(store.db));
      [1, 2, 3, 4, 5].forEach((n) => outbox.enqueue(draft(n)));
      outbox.applyResults([
        { mutationId: 1, status: 'applied' },
        { mutationId: 2, status: 'duplicate' },
        { mutationId: 3, status: 'rejected', code: 'SIGNED_NOTE_IMMUTABLE', message: 'The note is signed.' },
        { mutationId: 4, status: 'conflict', conflictId: randomUUID() },
      ]);
      expect(outbox.nextBatch(10).map((m) => m.mutationId)).toEqual([5]);
      expect(outbox.counts()).toEqual({ pending: 1, rejected: 1, conflicts: 1 });
      const rejected = store.sqlite
        .prepare("SELECT mutation_id, rejection_code, rejection_message FROM sync_outbox WHERE status = 'rejected'")
        .all();
      expect(rejected).toEqual([
        { mutation_id: 3, rejection_code: 'SIGNED_NOTE_IMMUTABLE', rejection_message: 'The note is signed.' },
      ]);
      // What "Forgot passphrase" would lose: pending, rejected and conflicting changes.
      expect((await store.vault.status()).unsyncedChanges).toBe(3);
    } finally {
      store.close();
    }
  });

  it("keeps applied changes for a month, a note's autosaves down to the last before its next other change", async () => {
    const store = await openStore(tempDir());
    try {
      const outbox = new Outbox(store.db, new PersistentClock(store.db));
      const save = (note: string, text: string, extra: Record<string, unknown> = {}) =>
        outbox.enqueue({ ...draft(0), args: { noteId: note, text, ...extra }, entity: { type: 'note', id: note } });
      save('a', 'a1');
      save('a', 'a2');
      outbox.enqueue({ name: 'note.sign', clientId, args: { noteId: 'a' }, entity: { type: 'note', id: 'a' } });
      save('b', 'b1', { resolvesConflicts: ['k'] });
      save('b', 'b2');
      save('b', 'b3');
      save('c', 'c1');
      outbox.applyResults([1, 2, 3, 4, 5, 6, 7].map((mutationId) => ({ mutationId, status: 'applied' as const })));
      save('c', 'c2 (not sent yet)');
      const kept = () =>
        store.sqlite.prepare('SELECT mutation_id, status FROM sync_outbox ORDER BY mutation_id').all() as Array<{
          mutation_id: number;
          status: string;
        }>;

      outbox.pruneApplied(new Date(Date.now() - KEEP_APPLIED_MS).toISOString());
      // a1 went (a2 follows it), a2 stays before the signature; b1 resolved a conflict; b2 went;
      // c1 went: the pending c2 carries the newer text.
      expect(kept()).toEqual([
        { mutation_id: 2, status: 'applied' },
        { mutation_id: 3, status: 'applied' },
        { mutation_id: 4, status: 'applied' },
        { mutation_id: 6, status: 'applied' },
        { mutation_id: 8, status: 'pending' },
      ]);
      // A month after they were acknowledged, the applied ones go; the pending one stays.
      outbox.pruneApplied(new Date(Date.now() + 1000).toISOString());
      expect(kept()).toEqual([{ mutation_id: 8, status: 'pending' }]);
    } finally {
      store.close();
    }
  });

  it('a server that forgot acknowledged changes gets them again, in order, under ids that follow its last', async () => {
    const store = await openStore(tempDir());
    try {
      const outbox = new Outbox(store.db, new PersistentClock(store.db));
      [1, 2, 3, 4, 5].forEach((n) => outbox.enqueue(draft(n)));
      outbox.applyResults([1, 2, 3, 4].map((mutationId) => ({ mutationId, status: 'applied' as const })));
      expect(outbox.observeServerLast(4)).toBe(true);
      outbox.enqueue(draft(6));
      // The same number again is a server that has not moved on; a lower one went back.
      expect(outbox.observeServerLast(4)).toBe(true);
      expect(outbox.observeServerLast(1)).toBe(false);

      expect(outbox.replayForgotten(1)).toEqual({ replayed: 3, pending: 2 });
      const batch = outbox.nextBatch(10);
      expect(batch.map((m) => [m.mutationId, (m.args as { noteId: string }).noteId])).toEqual([
        [2, 'note-2'],
        [3, 'note-3'],
        [4, 'note-4'],
        [5, 'note-5'],
        [6, 'note-6'],
      ]);
      expect(outbox.counts()).toEqual({ pending: 5, rejected: 0, conflicts: 0 });
      // From now on the server's numbers are the ones it answers with.
      expect(outbox.observeServerLast(1)).toBe(true);
      outbox.applyResults(batch.map((m) => ({ mutationId: m.mutationId, status: 'applied' as const })));
      expect(outbox.observeServerLast(6)).toBe(true);
      expect(outbox.enqueue(draft(7))).toBeGreaterThan(6);
      expect(outbox.nextBatch(10).map((m) => m.mutationId)).toEqual([7]);
      // Nothing to renumber when the ids already follow on.
      expect(outbox.replayForgotten(6)).toBeNull();
    } finally {
      store.close();
    }
  });

  it('refuses a change too large for any push when it is made, and keeps what was queued before and after', async () => {
    const store = await openStore(tempDir());
    try {
      const outbox = new Outbox(store.db, new PersistentClock(store.db));
      outbox.enqueue(draft(1));
      const huge = { ...draft(2), args: { noteId: 'note-2', text: 'x'.repeat(MAX_MUTATION_ARGS_BYTES) } };
      const refused = (() => {
        try {
          outbox.enqueue(huge);
          return null;
        } catch (error) {
          return error;
        }
      })();
      expect(refused).toBeInstanceOf(RpcError);
      expect((refused as RpcError).code).toBe('CHANGE_TOO_LARGE');
      // Growing the unsent draft past the limit is refused too; its last text stays queued.
      expect(() =>
        outbox.replaceUnsent({ ...draft(1), args: { noteId: 'note-1', text: 'y'.repeat(MAX_MUTATION_ARGS_BYTES) } }),
      ).toThrow(expect.objectContaining({ code: 'CHANGE_TOO_LARGE' }));
      outbox.enqueue(draft(3));
      expect(outbox.counts()).toEqual({ pending: 2, rejected: 0, conflicts: 0 });
      const batch = outbox.nextBatch(10);
      expect(batch.map((m) => [m.mutationId, m.args])).toEqual([
        [1, { noteId: 'note-1', text: 'draft 1' }],
        [2, { noteId: 'note-3', text: 'draft 3' }],
      ]);
      // Just under the limit is queued, and its push fits the server's body limit.
      const largest = { ...draft(4), args: { noteId: 'note-4', text: 'z'.repeat(MAX_MUTATION_ARGS_BYTES - 100) } };
      expect(outbox.enqueue(largest)).toBe(3);
      const alone = outbox.nextBatch(10).slice(-1);
      const body = JSON.stringify({
        protocolVersion: SYNC_PROTOCOL_VERSION,
        replicaId: replicaId(store.db),
        mutations: alone,
      });
      expect(Buffer.byteLength(body)).toBeLessThan(MAX_PUSH_BODY_BYTES);
    } finally {
      store.close();
    }
  });
});
