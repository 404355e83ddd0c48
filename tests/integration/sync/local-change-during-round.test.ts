import { afterAll, describe, expect, it } from 'vitest';
import { notes } from '../../../src/server/db/schema';
import { assign, createClient, createUser } from '../../server/helpers/fixtures';
import { waitFor } from '../../helpers/async';
import { useClinic } from './helpers/clinic';
import { startWorkstation, type Workstation } from './helpers/workstation';

/**
 * A change made while a sync round is finishing (its push already sent, its last pull on the
 * way) is pushed by a round right after it, not at the next periodic round a minute later. Real
 * core, SQLCipher cache and clinic server (PGlite) on loopback; the workstation's fetch holds
 * that last pull until the change is made, so the timing is the same on every run.
 */
const env = useClinic();
let ws: Workstation | undefined;

afterAll(async () => {
  await ws?.stop();
});

describe('a local change during a round', () => {
  it('is pushed right after that round', async () => {
    const user = await createUser(env.database.db);
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, user.id, clientId, 'caseload');

    // The pull that follows a push is held until the test lets it go.
    let armed = false;
    let pushed = false;
    let release: () => void = () => {};
    let held: () => void = () => {};
    const pullHeld = new Promise<void>((resolve) => (held = resolve));
    const gated: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      // No event stream: the server's pokes would start rounds of their own and hide the timing.
      if (url.endsWith('/sync/events')) {
        return new Promise<Response>((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
        );
      }
      if (armed && url.endsWith('/sync/push')) pushed = true;
      else if (armed && pushed && url.endsWith('/sync/pull')) {
        armed = false;
        await new Promise<void>((resolve) => {
          release = resolve;
          held();
        });
      }
      return fetch(input, init);
    };
    // A long delay before a local change's push: the round surely ends before it.
    ws = startWorkstation({ sync: { fetch: gated, localChangeDelayMs: 2_000, intervalMs: 60_000 } });
    await ws.setUp(env.clinic.url, user.username);

    armed = true;
    const first = ws.saveDraft(clientId, 'Synthetic first draft.');
    const round = ws.running.client.call('sync.now', {});
    await pullHeld;
    // The round sent its push and waits for its last pull: a change now is not in that push.
    const second = ws.saveDraft(clientId, 'Synthetic second draft, written during the round.');
    release();
    await round;

    await waitFor(() => ws!.running.core.sync.status().pending === 0, 15_000);
    const onServer = (await env.database.db.select({ id: notes.id }).from(notes)).map((note) => note.id);
    expect(onServer).toEqual(expect.arrayContaining([first, second]));
  });
});
