import { spawn } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { notes } from '../../../src/server/db/schema';
import { waitFor } from '../../helpers/async';
import { assign, createClient, createUser } from '../../server/helpers/fixtures';
import { MIGRATIONS_DIR } from '../store/seed';
import { useClinic } from '../sync/helpers/clinic';
import { PASSPHRASE, startWorkstation } from '../sync/helpers/workstation';
import { completeSoap, subjectiveOf } from './helpers';

/**
 * "Never lose a keystroke": a core killed with SIGKILL while the editor autosaves (every ~100 ms
 * here) keeps every save that had returned. The core runs in a child process on a real
 * SQLCipher profile; the test reopens the profile in a new core afterwards.
 */
const TYPIST = join(import.meta.dirname, 'fixtures/typing-core.ts');

const env = useClinic();

describe('killing the core mid-typing', () => {
  it('loses nothing that was acknowledged: the last returned save is in the note after a restart', async () => {
    const user = await createUser(env.database.db);
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, user.id, clientId, 'caseload');
    const first = startWorkstation();
    await first.setUp(env.clinic.url, user.username);
    const draft = await first.running.client.call('notes.createDraft', { clientId, templateId: 'soap' });
    await first.running.client.call('notes.saveDraft', {
      noteId: draft.id,
      content: completeSoap(draft.content, 'Start.'),
      baseRevision: draft.draftRevision,
    });
    await first.stop();

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', TYPIST, first.profile, MIGRATIONS_DIR, PASSPHRASE, draft.id],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the typing core did not get going: ${stderr.slice(-2000)}`)),
        60_000,
      );
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if ((stdout.match(/^saved /gm)?.length ?? 0) >= 25) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    expect(await exited).toBe('SIGKILL');

    const acknowledged = [...stdout.matchAll(/^saved (\d+) (\d+)$/gm)].map((m) => ({
      i: Number(m[1]),
      revision: Number(m[2]),
    }));
    const last = acknowledged.at(-1)!;
    expect(last.i).toBeGreaterThanOrEqual(24);

    const again = startWorkstation({ profile: first.profile });
    await again.running.client.call('vault.unlock', { passphrase: PASSPHRASE });
    const note = await again.running.client.call('notes.get', { noteId: draft.id });
    // The last acknowledged save, or the one after it (committed just before the kill, its line unread).
    const typed = Number(/^typed-(\d+) /.exec(subjectiveOf(note.content))?.[1]);
    expect([last.i, last.i + 1]).toContain(typed);
    expect(note.draftRevision).toBeGreaterThanOrEqual(last.revision);
    expect(again.running.core.vault.unlockedStore.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    // And it still reaches the clinic server.
    await waitFor(() => again.running.core.sync.status().pending === 0, 15_000);
    const [server] = await env.database.db.select().from(notes).where(eq(notes.id, draft.id));
    expect(server?.content).toEqual(note.content);
  });
});
