import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirInUseError } from '../../src/server/db/database.js';
import { DEMO_PASSWORD } from '../../src/server/demo/credentials.js';
import {
  DEMO_MARKER_FILE,
  demoCredentialsText,
  DemoServerError,
  resetDemoDataDir,
  startDemoServer,
} from '../../src/server/demo/server.js';

/**
 * The demo clinic server as `npm run demo:server` and the harness start it: PGlite in a data
 * folder of its own, seeded once, on loopback; `--reset` only ever deletes a demo's database.
 * (A small clinic keeps this quick; the full-size clinic is tested in demo.test.ts.)
 */
const folders: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'continuum-demo-'));
  folders.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

async function signIn(url: string, username: string, password: string) {
  return fetch(`${url}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, deviceName: 'Demo test' }),
  });
}

describe('demo clinic server', () => {
  it('seeds a new folder once, serves the documented accounts on loopback, and starts again without reseeding', async () => {
    const dataDir = tempDir();
    const first = await startDemoServer({ dataDir, port: 0, clients: 4 });
    try {
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(first.seed).toMatchObject({ status: 'seeded', counts: { users: 4, clients: 4 } });
      expect(existsSync(path.join(dataDir, DEMO_MARKER_FILE))).toBe(true);

      const response = await signIn(first.url, 'demo.supervisor', DEMO_PASSWORD);
      expect(response.status).toBe(200);
      const { accessToken } = (await response.json()) as { accessToken: string };
      const clients = await fetch(`${first.url}/clients`, { headers: { authorization: `Bearer ${accessToken}` } });
      // The supervisor supervises both clinicians: every client of the clinic.
      expect(((await clients.json()) as { clients: unknown[] }).clients).toHaveLength(4);
      expect((await signIn(first.url, 'demo.clinician1', 'not the demo password')).status).toBe(401);

      // One process per data folder (PGlite): a second server, or a reset, is refused while it runs.
      await expect(startDemoServer({ dataDir, port: 0 })).rejects.toBeInstanceOf(DataDirInUseError);
      expect(() => resetDemoDataDir(dataDir)).toThrow(DemoServerError);
    } finally {
      await first.close();
    }

    const again = await startDemoServer({ dataDir, port: 0, clients: 9 });
    try {
      expect(again.seed).toMatchObject({ status: 'alreadySeeded', generatedFor: expect.any(String) });
      const response = await signIn(again.url, 'demo.clinician2', DEMO_PASSWORD);
      expect(response.status).toBe(200);
    } finally {
      await again.close();
    }

    const reset = await startDemoServer({ dataDir, port: 0, reset: true, clients: 2 });
    try {
      expect(reset.seed).toMatchObject({ status: 'seeded', counts: { clients: 2 } });
    } finally {
      await reset.close();
    }
  }, 120_000);

  it('refuses a folder holding a clinic database that is not the demo, with or without --reset', async () => {
    const dataDir = tempDir();
    mkdirSync(path.join(dataDir, 'pgdata'));
    writeFileSync(path.join(dataDir, 'pgdata', 'PG_VERSION'), '17\n');
    await expect(startDemoServer({ dataDir, port: 0 })).rejects.toBeInstanceOf(DemoServerError);
    await expect(startDemoServer({ dataDir, port: 0, reset: true })).rejects.toBeInstanceOf(DemoServerError);
    expect(readdirSync(path.join(dataDir, 'pgdata'))).toEqual(['PG_VERSION']);
    expect(existsSync(path.join(dataDir, DEMO_MARKER_FILE))).toBe(false);
  });

  it('prints the documented credentials', () => {
    const text = demoCredentialsText('http://127.0.0.1:8787');
    for (const expected of [
      'demo.clinician1',
      'demo.clinician2',
      'demo.supervisor',
      'demo.admin',
      `Password: ${DEMO_PASSWORD}`,
      'http://127.0.0.1:8787',
    ])
      expect(text).toContain(expected);
  });
});
