import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { notes } from '../../../src/server/db/schema';
import { BACKENDS, useBackends, type TestDatabase } from '../../server/helpers/backends';
import { assign, createClient, createUser } from '../../server/helpers/fixtures';
import { admin, startClinic, startProxy, type Clinic } from './helpers/clinic';
import { startWorkstation, type Workstation } from './helpers/workstation';

/**
 * A clinic server restored from an older backup, for real, on both databases: a backup taken as
 * an administrator takes one (`pg_dump` of the PostgreSQL database; a copy of PGlite's data
 * directory), the server going on, then stopped and started again on the restored data, and the
 * administrator declaring the restore (`npm run admin -- restored`), as docs/clinic-server.md
 * says to. Real cores on real encrypted caches reach it through a loopback proxy on an
 * unchanging address.
 */
const backends = useBackends();

interface Site {
  database: TestDatabase;
  clinic: Clinic;
  port: number;
}

let site: Site | null = null;
afterEach(async () => {
  await site?.clinic.close();
  site = null;
});

async function openSite(database: TestDatabase): Promise<Site> {
  const clinic = await startClinic(database.db);
  site = { database, clinic, port: clinic.port };
  return site;
}

/** A backup of the clinic's database as it is now. */
const backUp = (current: Site) => current.database.backUp();

/** Stop the server, restore the backup, start the server on it, and declare the restore. */
async function restore(current: Site, backup: Awaited<ReturnType<typeof backUp>>): Promise<Site> {
  await current.clinic.close();
  await current.database.close();
  const database = await backup.restore();
  const clinic = await startClinic(database.db, { port: current.port });
  site = { database, clinic, port: current.port };
  await admin(database.db, 'restored', {});
  return site;
}

/** A clinician with one client on their caseload. */
async function clinician(current: Site) {
  const user = await createUser(current.database.db);
  const clientId = await createClient(current.database.db);
  await assign(current.database.db, user.id, clientId, 'caseload');
  return { user, clientId };
}

async function device(current: Site, username: string): Promise<Workstation> {
  const proxy = await startProxy(() => current.port);
  onTestFinished(() => proxy.close());
  const ws = startWorkstation();
  onTestFinished(() => ws.stop());
  await ws.setUp(proxy.url, username);
  return ws;
}

async function syncNow(ws: Workstation): Promise<void> {
  await ws.running.client.call('sync.now', {});
  await ws.waitForStatus((status) => status.state === 'synced' && status.pending === 0, 20_000);
}

const noteText = (ws: Workstation, noteId: string): string =>
  ws.value('SELECT note_text(content) FROM session_notes WHERE id = ?', noteId);

async function onServer(current: Site, noteId: string) {
  const [note] = await current.database.db
    .select({ content: notes.content, status: notes.status })
    .from(notes)
    .where(eq(notes.id, noteId));
  return note ? { text: JSON.stringify(note.content), status: note.status } : null;
}

describe.each(BACKENDS)('a clinic server restored from an older backup (%s)', (backend) => {
  it('gets back from the workstation what the clinician wrote after the backup: edits, new notes, signatures', async () => {
    let current = await openSite(await backends.open(backend));
    const { user, clientId } = await clinician(current);
    const ws = await device(current, user.username);
    const first = ws.saveDraft(clientId, 'before the backup');
    await syncNow(ws);
    const backup = await backUp(current);

    ws.saveDraft(clientId, 'edited after the backup', first);
    const second = ws.saveDraft(clientId, 'written after the backup');
    ws.sign(second);
    await syncNow(ws);
    expect(await onServer(current, second)).toMatchObject({ status: 'signed' });

    current = await restore(current, backup);
    expect((await onServer(current, first))?.text).toContain('before the backup');
    expect(await onServer(current, second)).toBeNull();

    await syncNow(ws);
    expect((await onServer(current, first))?.text).toContain('edited after the backup');
    const signed = await onServer(current, second);
    expect(signed?.status).toBe('signed');
    expect(signed?.text).toContain('written after the backup');
    // Nothing refused, no conflict: the clinician has nothing to do, and sees their own text.
    const details = await ws.running.client.call('sync.details', {});
    expect(details.rejected).toEqual([]);
    expect(details.conflicts).toEqual([]);
    // The panel says what happened: the edit, the new note and its signature sent again (and
    // the audit entries uploaded after the backup), until the clinician dismisses it.
    expect(details.serverRestored?.replayed).toBeGreaterThanOrEqual(3);
    expect(Date.parse(details.serverRestored!.at)).toBeGreaterThan(Date.now() - 60_000);
    // The header badge points to it: one item to review.
    expect((await ws.running.client.call('sync.status', {})).attention).toBe(1);
    const dismissed = await ws.running.client.call('sync.dismissServerRestored', {});
    expect(dismissed.serverRestored).toBeNull();
    expect((await ws.running.client.call('sync.status', {})).attention).toBeUndefined();
    await syncNow(ws);
    expect((await ws.running.client.call('sync.details', {})).serverRestored).toBeNull();
    await expect(ws.running.client.call('sync.dismissServerRestored', {})).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(noteText(ws, first)).toBe('edited after the backup');
    expect(ws.value('SELECT status FROM session_notes WHERE id = ?', second)).toBe('signed');

    // And the next change follows on as usual.
    const third = ws.saveDraft(clientId, 'the day after the restore');
    await syncNow(ws);
    expect((await onServer(current, third))?.text).toContain('the day after the restore');
  });

  it('a note changed after the restore reaches a workstation that held another text at the same version; that text is kept to merge', async () => {
    let current = await openSite(await backends.open(backend));
    const { user, clientId } = await clinician(current);
    const a = await device(current, user.username);
    const noteId = a.saveDraft(clientId, 'first text, on the laptop');
    await syncNow(a);
    const b = await device(current, user.username);
    expect(noteText(b, noteId)).toBe('first text, on the laptop');
    const backup = await backUp(current);

    // The clinician goes on on the second device; the laptop receives it (version 2).
    b.saveDraft(clientId, 'second device, after the backup', noteId);
    await syncNow(b);
    await syncNow(a);
    expect(noteText(a, noteId)).toBe('second device, after the backup');
    // The second device is lost (its cache with it): nobody sends that text again.
    await b.stop();

    current = await restore(current, backup);
    // A third device, set up after the restore, writes the note again: version 2 once more.
    const c = await device(current, user.username);
    expect(noteText(c, noteId)).toBe('first text, on the laptop');
    c.saveDraft(clientId, 'third device, after the restore', noteId);
    await syncNow(c);

    await syncNow(a);
    expect(noteText(a, noteId)).toBe('third device, after the restore');
    // The lost device's text, which the server no longer has, is the laptop's alone: kept beside
    // the note for the clinician to merge.
    const detail = await a.running.client.call('notes.get', { noteId });
    expect(JSON.stringify(detail.conflictDetail?.theirs)).toContain('third device, after the restore');
    expect(JSON.stringify(detail.conflictDetail?.mine)).toContain('second device, after the backup');
  });

  it("the clinician's own text older than the outbox keeps is kept beside the server's copy to merge, not overwritten unseen", async () => {
    const current = await openSite(await backends.open(backend));
    const { user, clientId } = await clinician(current);
    const ws = await device(current, user.username);
    const noteId = ws.saveDraft(clientId, 'before the backup');
    await syncNow(ws);
    const backup = await backUp(current);
    ws.saveDraft(clientId, 'edited after the backup, weeks ago', noteId);
    await syncNow(ws);
    // Longer ago than the outbox keeps acknowledged changes: nothing of it is queued any more.
    ws.running.core.sync.record((db) => {
      db.$client.prepare("DELETE FROM sync_outbox WHERE status = 'applied'").run();
    });

    const restored = await restore(current, backup);
    await syncNow(ws);
    const detail = await ws.running.client.call('notes.get', { noteId });
    expect(detail.conflict).toBe(true);
    expect(JSON.stringify(detail.conflictDetail?.mine)).toContain('edited after the backup, weeks ago');
    expect(JSON.stringify(detail.conflictDetail?.theirs)).toContain('before the backup');
    // Nothing is sent before the clinician merges.
    expect((await onServer(restored, noteId))?.text).toContain('before the backup');
  });
});
