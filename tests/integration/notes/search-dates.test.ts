import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { searchNotes } from '../../../src/core/notes/search';
import { openWorkstationStore } from '../../../src/core/store/workstation-store';
import { applyChanges } from '../../../src/core/sync/apply-changes';
import { prepareChanges } from '../../../src/core/sync/prepare-changes';
import { unavailableKeychain } from '../../../src/core/vault/keychain';
import type { NoteContent } from '../../../src/shared/notes/content';
import type { Change } from '../../../src/shared/sync/protocol';
import { tempDir } from '../../helpers/temp-dir';
import { FAST_SCRYPT, MIGRATIONS_DIR, seedClient, seedClinician } from '../store/seed';
import { paragraph } from './helpers';

/**
 * Search by date range finds a note by the session date the clinician wrote on it (the
 * encounter's date, else the day the note was written), whatever the session's time zone and
 * time of day: notes just inside and just outside each edge, sessions minutes after midnight
 * and before midnight in the zones furthest ahead of and behind UTC, sessions without a start
 * time, notes without a date, and dates before 2000.
 */
const ZONES = ['Pacific/Kiritimati', 'Etc/GMT+12', 'America/Chicago', 'Asia/Kolkata', 'UTC'];
const TIMES = ['00:05', '23:55', null];

const shift = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

interface Written {
  id: string;
  /** The date the clinician sees on the note. */
  sessionDate: string;
}

async function storeWithNotes(dates: string[]) {
  const store = await openWorkstationStore({
    profileDir: tempDir(),
    migrationsDir: MIGRATIONS_DIR,
    keychain: unavailableKeychain(),
    scrypt: FAST_SCRYPT,
  });
  await store.vault.create('search dates passphrase');
  onTestFinished(() => store.close());
  const me = seedClinician(store.db);
  const clientId = seedClient(store.db, { givenName: 'Synthetic', familyName: 'Client', clinicianId: me });
  const written: Written[] = [];
  const changes: Change[] = [];
  const put = (encounter: NoteContent['encounter'], createdAt: string, sessionDate: string) => {
    const id = randomUUID();
    const content: NoteContent = {
      templateId: 'dap',
      templateVersion: 1,
      encounter,
      sections: { data: { data: { type: 'richText', doc: paragraph('Discussed cravings and sleep.') } } },
    };
    changes.push({
      op: 'put',
      entity: 'note',
      id,
      clientId,
      version: 1,
      data: { authorId: me, status: 'draft', content, createdAt, updatedAt: createdAt },
    });
    written.push({ id, sessionDate });
  };
  for (const date of dates) {
    for (const timeZone of ZONES)
      for (const time of TIMES)
        put(
          { date, timeZone, ...(time ? { startTime: time, endTime: time } : {}), modality: 'video' },
          '2026-11-22T12:00:00.000Z',
          date,
        );
    // No session date: the day the note was written counts.
    put({}, `${date}T23:30:00.000Z`, date);
  }
  store.sqlite.transaction(() =>
    applyChanges(store.sqlite, prepareChanges(changes), {
      pendingKeys: new Set(),
      defer: () => undefined,
      now: new Date().toISOString(),
    }),
  )();
  const found = (range: { from?: string; to?: string }) =>
    searchNotes(store.sqlite, { query: 'cravings', ...range, limit: 10_000 }, me)
      .hits.map((hit) => hit.note.id)
      .sort();
  const expected = (range: { from?: string; to?: string }) =>
    written
      .filter((note) => (!range.from || note.sessionDate >= range.from) && (!range.to || note.sessionDate <= range.to))
      .map((note) => note.id)
      .sort();
  return { found, expected, written };
}

describe('notes search by date range', () => {
  it('finds exactly the notes whose session date is in the range, in any time zone and at any hour', async () => {
    const from = '2026-03-10';
    const to = '2026-03-20';
    // Every day from five before the range to five after it (the edges in every zone).
    const dates = Array.from({ length: 21 }, (_, i) => shift(from, i - 5));
    const { found, expected, written } = await storeWithNotes(dates);
    for (const range of [{ from, to }, { from }, { to }, { from: to, to: to }, { from: shift(to, 1), to: from }]) {
      expect(found(range), JSON.stringify(range)).toEqual(expected(range));
    }
    expect(expected({ from, to })).toHaveLength(11 * (ZONES.length * TIMES.length + 1));
    expect(found({})).toHaveLength(written.length);
  });

  it('finds notes dated before 2000 by their date too', async () => {
    const { found, expected } = await storeWithNotes(['0050-06-01', '1999-12-31', '2000-01-01', '2000-01-03']);
    for (const range of [
      { from: '0050-06-01', to: '0050-06-01' },
      { from: '1950-05-01', to: '1950-07-01' },
      { from: '1999-12-01', to: '2000-01-01' },
      { from: '2000-01-02' },
      { to: '1999-12-31' },
    ]) {
      expect(found(range), JSON.stringify(range)).toEqual(expected(range));
    }
    expect(expected({ from: '0050-06-01', to: '0050-06-01' }).length).toBeGreaterThan(0);
  });
});
