import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { records } from '../../../src/server/db/schema';
import { waitFor } from '../../helpers/async';
import { assign, createClient, createUser } from '../../server/helpers/fixtures';
import { clinicTemplates } from '../../../src/core/sync/templates';
import { contentHash } from '../../../src/shared/notes/canonical';
import { SOAP_TEMPLATE } from '../../../src/shared/notes/templates/builtin';
import { publishTemplates } from '../../../src/server/records/templates';
import { admin, startProxy, useClinic } from './helpers/clinic';
import { startWorkstation, type Workstation } from './helpers/workstation';

/**
 * Records other than notes through the engine: profile fields merged per field by the server's
 * clocks, and measures (append-only) arriving with their trend value. Real cores and caches,
 * the real server on loopback (PGlite).
 */
const env = useClinic();

async function twoDevices() {
  const user = await createUser(env.database.db);
  const clientId = await createClient(env.database.db);
  await assign(env.database.db, user.id, clientId, 'caseload');
  const devices = [];
  for (let i = 0; i < 2; i += 1) {
    const proxy = await startProxy(() => env.clinic.port);
    onTestFinished(() => proxy.close());
    const ws = startWorkstation();
    await ws.setUp(proxy.url, user.username);
    devices.push({ ws, proxy });
  }
  return { user, clientId, a: devices[0]!, b: devices[1]! };
}

/** The phone number changed on this workstation, as the profile editor does. */
function changePhone(ws: Workstation, clientId: string, phone: string): void {
  ws.running.core.sync.record((db, outbox) => {
    db.$client.prepare('UPDATE clients SET phone = ? WHERE id = ?').run(phone, clientId);
    outbox.enqueue({ name: 'client.updateFields', clientId, args: { fields: { phone } } });
  });
}

const phoneOf = (ws: Workstation, clientId: string) =>
  ws.value<string | null>('SELECT phone FROM clients WHERE id = ?', clientId);

describe('records through the sync engine', () => {
  it('a profile field changed on one workstation reaches the other', async () => {
    const { clientId, a, b } = await twoDevices();
    changePhone(a.ws, clientId, '555-0101');
    await waitFor(() => phoneOf(b.ws, clientId) === '555-0101', 10_000);
    const [record] = await env.database.db.select().from(records).where(eq(records.id, clientId));
    expect((record?.data as { phone: string }).phone).toBe('555-0101');
  });

  it('the same field changed offline on two workstations: both end with the newer value, the older one loses everywhere', async () => {
    const { clientId, a, b } = await twoDevices();
    a.proxy.cut();
    b.proxy.cut();
    changePhone(b.ws, clientId, '555-0000 (older)');
    await new Promise((resolve) => setTimeout(resolve, 5));
    changePhone(a.ws, clientId, '555-0202 (newer)');

    a.proxy.restore();
    await a.ws.running.client.call('sync.now', {});
    b.proxy.restore();
    await b.ws.running.client.call('sync.now', {});
    // B's change was applied (nothing refused) but lost the merge: B shows the server's value.
    expect((await b.ws.running.client.call('sync.details', {})).rejected).toEqual([]);
    expect(phoneOf(b.ws, clientId)).toBe('555-0202 (newer)');
    await waitFor(() => phoneOf(a.ws, clientId) === '555-0202 (newer)', 10_000);
  });

  it('a measure recorded on one workstation arrives with its trend value on the other', async () => {
    const { user, clientId, a, b } = await twoDevices();
    const id = randomUUID();
    const administeredAt = new Date().toISOString();
    const measure = {
      instrument: 'PHQ9' as const,
      instrumentVersion: '1',
      administeredAt,
      administeredBy: user.id,
      source: 'clinician' as const,
      noteId: null,
      answers: { q1: 2, q2: 1, q3: 1, q4: 2, q5: 0, q6: 1, q7: 1, q8: 0, q9: 0 },
      totalScore: 8,
      subscores: null,
      band: 'mild',
    };
    a.ws.running.core.sync.record((db, outbox) => {
      db.$client
        .prepare(
          `INSERT INTO questionnaire_responses (id, client_id, instrument, instrument_version, administered_at, administered_by, source, answers, total_score, band, created_at)
           VALUES (?, ?, 'PHQ9', '1', ?, ?, 'clinician', ?, 8, 'mild', ?)`,
        )
        .run(id, clientId, administeredAt, user.id, JSON.stringify(measure.answers), administeredAt);
      outbox.enqueue({ name: 'measure.record', clientId, args: { id, measure } });
    });
    await waitFor(() => b.ws.value<number>('SELECT count(*) FROM measures WHERE response_id = ?', id) === 1, 10_000);
    expect(b.ws.rows('SELECT code, value, observed_at FROM measures WHERE response_id = ?', id)).toEqual([
      { code: 'PHQ9', value: 8, observed_at: administeredAt },
    ]);
    expect(b.ws.value('SELECT band FROM questionnaire_responses WHERE id = ?', id)).toBe('mild');
    await a.ws.waitForStatus((status) => status.pending === 0 && status.state === 'synced');
    expect(a.ws.value('SELECT server_version FROM questionnaire_responses WHERE id = ?', id)).toBe('1');
  });

  it('the note lifecycle arrives where it belongs: an addendum, a supervisor’s co-signature, clinic templates', async () => {
    const supervisor = await createUser(env.database.db, { role: 'supervisor' });
    const clinician = await createUser(env.database.db, { supervisorId: supervisor.id });
    await admin(env.database.db, 'set-requires-cosign', { username: clinician.username, value: 'true' });
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, clinician.id, clientId, 'caseload');
    const mine = startWorkstation();
    await mine.setUp(env.clinic.url, clinician.username);
    const theirs = startWorkstation();
    await theirs.setUp(env.clinic.url, supervisor.username);

    const noteId = mine.saveDraft(clientId, 'Session documented for co-signature');
    mine.sign(noteId);
    await mine.waitForStatus((status) => status.state === 'synced' && status.pending === 0);
    await waitFor(
      () => theirs.value<string | null>('SELECT status FROM session_notes WHERE id = ?', noteId) === 'signed',
      10_000,
    );

    // The supervisor co-signs the note as they saw it.
    const hash = theirs.value<string>('SELECT content_hash FROM session_notes WHERE id = ?', noteId);
    theirs.running.core.sync.queue({
      name: 'note.cosign',
      clientId,
      args: { noteId, contentHash: hash, signedAt: new Date().toISOString() },
    });
    await waitFor(
      () =>
        mine.value<number>("SELECT count(*) FROM note_signatures WHERE note_id = ? AND kind = 'cosign'", noteId) === 1,
      10_000,
    );
    expect(mine.value('SELECT signer_id FROM note_signatures WHERE note_id = ?', noteId)).toBe(supervisor.id);

    // The author adds a signed addendum; the supervisor's workstation receives it.
    const addendumId = randomUUID();
    const body = { text: 'Addendum: the client called after the session to confirm the plan.' };
    const signedAt = new Date().toISOString();
    mine.running.core.sync.record((db, outbox) => {
      db.$client
        .prepare(
          `INSERT INTO note_addenda (id, note_id, author_id, body_text, status, signed_at, content_hash, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'signed', ?, ?, ?, ?)`,
        )
        .run(addendumId, noteId, clinician.id, body.text, signedAt, contentHash(body), signedAt, signedAt);
      outbox.enqueue({
        name: 'note.addAddendum',
        clientId,
        args: { addendumId, noteId, body, signedAt, contentHash: contentHash(body) },
      });
    });
    await waitFor(
      () => theirs.value<number>('SELECT count(*) FROM note_addenda WHERE id = ?', addendumId) === 1,
      10_000,
    );
    expect(theirs.value('SELECT body_text FROM note_addenda WHERE id = ?', addendumId)).toBe(body.text);
    expect((await mine.running.client.call('sync.details', {})).rejected).toEqual([]);

    // A clinic template published on the server reaches every workstation.
    await publishTemplates(env.database.db, [{ ...SOAP_TEMPLATE, id: 'clinic_followup', version: 3 }]);
    await mine.running.client.call('sync.now', {});
    const templates = clinicTemplates(mine.running.core.vault.unlockedStore.sqlite);
    expect(templates.find((t) => t.templateId === 'clinic_followup')).toMatchObject({ version: 3, active: true });
  });
});
