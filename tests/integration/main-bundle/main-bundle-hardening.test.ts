import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * Runs the BUILT main-process bundle (out/main/index.js, what electron-builder packages) with a
 * recording stand-in for Electron's API (the binary cannot run on CI), and checks what it asked
 * for: hardened windows, a sandbox, denied permissions and navigation, the core in a utility
 * process. `npm test` builds before running this.
 */
const root = resolve(import.meta.dirname, '../../..');
const bundle = join(root, 'out/main/index.js');

interface Recorded {
  singleInstanceLockRequested: boolean;
  sandboxEnabled: boolean;
  privilegedSchemes: Array<{ scheme: string; privileges: Record<string, boolean> }>;
  protocolHandlers: string[];
  windows: Array<{ options: { webPreferences: Record<string, unknown> }; loadedUrl: string | null }>;
  utilityProcesses: Array<{ entry: string; serviceName: string | null }>;
  session: Record<string, boolean | null>;
  webContentsCreatedHandlers: number;
  probes: {
    windowOpen: { action: string } | null;
    navigationPrevented: { foreign: boolean; file: boolean; ownOrigin: boolean };
    webviewPrevented: boolean;
    permissions: Record<string, boolean | null>;
    locksWith: string[];
  };
}

let recorded: Recorded;

beforeAll(() => {
  expect(existsSync(bundle), 'out/main/index.js is missing: run `npm run build` first').toBe(true);
  const output = execFileSync(
    process.execPath,
    ['--import', join(root, 'tests/fixtures/electron-stand-in/register.mjs'), bundle],
    { cwd: root, encoding: 'utf8', timeout: 20_000 },
  );
  const line = output.split('\n').find((text) => text.startsWith('ELECTRON-STAND-IN '));
  expect(line, `no report from the stand-in; output was:\n${output}`).toBeDefined();
  recorded = JSON.parse(line!.slice('ELECTRON-STAND-IN '.length)) as Recorded;
});

describe('the packaged main process', () => {
  it('creates its window with the hardening flags', () => {
    expect(recorded.windows).toHaveLength(1);
    const prefs = recorded.windows[0]!.options.webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    });
    expect(String(prefs.preload)).toMatch(/out\/preload\/index\.cjs$/);
    expect(existsSync(String(prefs.preload)), 'the preload the window points at exists').toBe(true);
    expect(recorded.windows[0]!.loadedUrl).toBe('continuum://app/index.html');
  });

  it('enables the sandbox everywhere and owns a single instance', () => {
    expect(recorded.sandboxEnabled).toBe(true);
    expect(recorded.singleInstanceLockRequested).toBe(true);
  });

  it('serves the renderer from a secure app scheme', () => {
    expect(recorded.privilegedSchemes).toEqual([
      expect.objectContaining({
        scheme: 'continuum',
        privileges: expect.objectContaining({ secure: true, standard: true }),
      }),
    ]);
    expect(recorded.protocolHandlers).toEqual(['continuum']);
  });

  it('denies new windows, foreign navigation and webviews', () => {
    expect(recorded.webContentsCreatedHandlers).toBeGreaterThan(0);
    expect(recorded.probes.windowOpen).toEqual({ action: 'deny' });
    expect(recorded.probes.navigationPrevented).toEqual({ foreign: true, file: true, ownOrigin: false });
    expect(recorded.probes.webviewPrevented).toBe(true);
  });

  it('refuses every permission while video is off, and media to foreign origins always', () => {
    expect(recorded.session).toMatchObject({
      permissionRequest: true,
      permissionCheck: true,
      devicePermission: true,
      willDownload: true,
    });
    expect(recorded.probes.permissions).toEqual({
      geolocationFromApp: false,
      notificationsFromApp: false,
      mediaFromAppWhileVideoOff: false,
      mediaFromForeignOrigin: false,
    });
  });

  it('runs the core in a utility process from the built bundle', () => {
    expect(recorded.utilityProcesses).toHaveLength(1);
    const [core] = recorded.utilityProcesses;
    expect(core!.entry).toBe(join(dirname(bundle), 'core.js'));
    expect(existsSync(core!.entry)).toBe(true);
    expect(core!.serviceName).toBe('Continuum core');
  });

  it('ships the encrypted cache migrations beside the core bundle', () => {
    const migrations = join(dirname(bundle), 'migrations');
    expect(existsSync(join(migrations, 'meta', '_journal.json'))).toBe(true);
    expect(existsSync(join(migrations, '0000_initial.sql'))).toBe(true);
  });

  it('locks the workstation when the operating system locks the screen or sleeps', () => {
    expect(recorded.probes.locksWith).toEqual(['lock-screen', 'suspend']);
  });
});
