import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { queueDraft } from '../../../src/core/notes/drafts';
import { openWorkstationStore } from '../../../src/core/store/workstation-store';
import { Outbox } from '../../../src/core/sync/outbox';
import { PersistentClock } from '../../../src/core/sync/replica';
import { unavailableKeychain } from '../../../src/core/vault/keychain';
import { SOAP_TEMPLATE } from '../../../src/shared/notes/templates/builtin';
import type { NoteContent } from '../../../src/shared/notes/content';
import { tempDir } from '../../helpers/temp-dir';
import { FAST_SCRYPT, MIGRATIONS_DIR } from '../store/seed';
import { withSubjective } from './helpers';

/**
 * Autosave runs every second; the clinic server needs only the latest text of a draft. The
 * outbox (real encrypted store) keeps one unsent `note.saveDraft` per note and replaces its
 * text; anything a push may already have taken, or anything queued after it, is never changed.
 */
async function outbox() {
  const store = await openWorkstationStore({
    profileDir: tempDir(),
    migrationsDir: MIGRATIONS_DIR,
    keychain: unavailableKeychain(),
    scrypt: FAST_SCRYPT,
  });
  await store.vault.create('autosave outbox passphrase');
  onTestFinished(() => store.close());
  const box = new Outbox(store.db, new PersistentClock(store.db));
  const rows = () =>
    store.sqlite
      .prepare('SELECT mutation_id, name, entity_id, args FROM sync_outbox ORDER BY mutation_id')
      .all() as Array<{
      mutation_id: number;
      name: string;
      entity_id: string;
      args: string;
    }>;
  return { box, rows, store };
}

const base: NoteContent = { templateId: SOAP_TEMPLATE.id, templateVersion: 1, encounter: {}, sections: {} };
const text = (n: number) => withSubjective(base, `keystroke ${n}`);
const note = (serverVersion: string | null = null) => ({ id: randomUUID(), clientId: randomUUID(), serverVersion });
const textOf = (args: string) =>
  (JSON.parse(args) as { content: NoteContent }).content.sections['subjective']?.['subjective'];

describe('autosave coalescing in the outbox', () => {
  it('replaces the text of an unsent save of the same note instead of adding rows', async () => {
    const { box, rows } = await outbox();
    const a = note('3');
    const first = queueDraft(box, a, text(1));
    for (let n = 2; n <= 30; n += 1) expect(queueDraft(box, a, text(n))).toBe(first);
    const all = rows();
    expect(all).toHaveLength(1);
    expect(textOf(all[0]!.args)).toEqual(text(30).sections['subjective']?.['subjective']);
    expect(JSON.parse(all[0]!.args)).toMatchObject({ noteId: a.id, baseVersion: 3 });
  });

  it('adds a new row once a push has taken the save (the server may have it), and coalesces after that', async () => {
    const { box, rows } = await outbox();
    const a = note();
    const first = queueDraft(box, a, text(1));
    expect(box.nextBatch(500).map((m) => m.mutationId)).toEqual([first]);
    const second = queueDraft(box, a, text(2));
    expect(second).not.toBe(first);
    expect(queueDraft(box, a, text(3))).toBe(second);
    expect(rows().map((r) => textOf(r.args))).toEqual([
      text(1).sections['subjective']?.['subjective'],
      text(3).sections['subjective']?.['subjective'],
    ]);
  });

  it('never rewrites a save that something about the same note follows (a signature), but other notes do not interfere', async () => {
    const { box, rows } = await outbox();
    const a = note();
    const b = note();
    const saveA = queueDraft(box, a, text(1));
    const saveB = queueDraft(box, b, text(1));
    // Another note's row in between: A's save is still the last about A.
    expect(queueDraft(box, a, text(2))).toBe(saveA);
    box.enqueue({
      name: 'note.sign',
      clientId: a.clientId,
      args: { noteId: a.id },
      entity: { type: 'note', id: a.id },
    });
    const after = queueDraft(box, a, text(3));
    expect(after).toBeGreaterThan(saveB);
    expect(rows().map((r) => [r.name, r.entity_id])).toEqual([
      ['note.saveDraft', a.id],
      ['note.saveDraft', b.id],
      ['note.sign', a.id],
      ['note.saveDraft', a.id],
    ]);
    expect(textOf(rows()[0]!.args)).toEqual(text(2).sections['subjective']?.['subjective']);
  });

  it("keeps a merge's conflict ids when later typing replaces its text", async () => {
    const { box, rows } = await outbox();
    const a = note('2');
    const conflictId = randomUUID();
    queueDraft(box, a, text(1), { resolvesConflicts: [conflictId] });
    queueDraft(box, a, text(2));
    const [row] = rows();
    expect(JSON.parse(row!.args)).toMatchObject({ resolvesConflicts: [conflictId], baseVersion: 2 });
    expect(textOf(row!.args)).toEqual(text(2).sections['subjective']?.['subjective']);
  });
});
