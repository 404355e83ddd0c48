/**
 * `npm run dev:web [-- --data <dir>] [--port <n>]`: run the workstation in a browser.
 * Builds nothing itself: it serves out/renderer, so run `npm run build` after changing the UI
 * (the npm scripts `dev:web` and `demo` do that first).
 *
 * `--demo` (what `npm run dev:web` and `npm run demo` pass): start the demo clinic server in this
 * process (PGlite in `<data>/server`, seeded with the synthetic clinic the first time, on
 * 127.0.0.1:8787), and on an empty workstation profile (`<data>/workstation`, default data
 * folder ./demo-data) sign in as demo.clinician1 and create the demo passphrase. `--server-url`
 * signs in to a demo server that is already running instead (`npm run demo:server`); `--reset`
 * throws away the demo clinic and the demo workstation first. `--no-demo` (or `npm run harness`,
 * which the end-to-end tests use): a fresh, un-initialised workstation in a temporary profile.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_DEMO_DATA_DIR,
  DEFAULT_DEMO_PORT,
  DEMO_PASSWORD,
  DEMO_SIGN_IN_USERNAME,
  DEMO_WORKSTATION_PASSPHRASE,
} from '../server/demo/credentials';
import type { DemoServer } from '../server/demo/server';
import { setUpDemoWorkstation } from './demo-workstation';
import { startHarness } from './harness-server';

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

let values;
try {
  ({ values } = parseArgs({
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      'auto-lock-seconds': { type: 'string' },
      demo: { type: 'boolean', default: false },
      'server-url': { type: 'string' },
      'demo-port': { type: 'string' },
      reset: { type: 'boolean', default: false },
    },
    strict: true,
    allowNegative: true,
  }));
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
if (!values) process.exit(1);

const projectRoot = resolve(import.meta.dirname, '../..');
const rendererDir = join(projectRoot, 'out/renderer');
if (!existsSync(join(rendererDir, 'index.html'))) fail('The renderer is not built yet. Run `npm run build` first.');

const demo = values.demo;
if (!demo && (values['server-url'] !== undefined || values.reset || values['demo-port'] !== undefined))
  fail('--server-url, --demo-port and --reset go with --demo.');

const dataDir = values.data ? resolve(values.data) : demo ? resolve(DEFAULT_DEMO_DATA_DIR) : undefined;
const profileDir = dataDir ? join(dataDir, 'workstation') : mkdtempSync(join(tmpdir(), 'continuum-'));
const port = values.port ? Number.parseInt(values.port, 10) : 0;
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port takes a number from 0 to 65535.');
const demoPort = values['demo-port'] ? Number.parseInt(values['demo-port'], 10) : DEFAULT_DEMO_PORT;
if (!Number.isInteger(demoPort) || demoPort < 0 || demoPort > 65535)
  fail('--demo-port takes a number from 0 to 65535.');
const autoLockSeconds = values['auto-lock-seconds'] ? Number.parseInt(values['auto-lock-seconds'], 10) : undefined;
if (autoLockSeconds !== undefined && !(Number.isInteger(autoLockSeconds) && autoLockSeconds > 0))
  fail('--auto-lock-seconds takes a positive whole number.');
const { version } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string };

let demoServer: DemoServer | undefined;
let serverUrl = values['server-url'];
if (demo && dataDir) {
  if (values.reset) rmSync(profileDir, { recursive: true, force: true });
  if (serverUrl === undefined) {
    // Loaded only for the demo: the clinic server (PGlite, Fastify) is not part of the plain harness.
    const { demoCredentialsText, startDemoServer } = await import('../server/demo/server');
    try {
      demoServer = await startDemoServer({
        dataDir: join(dataDir, 'server'),
        port: demoPort,
        reset: values.reset,
        print: (line) => process.stdout.write(`${line}\n`),
      });
    } catch (error) {
      const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      fail(
        `The demo clinic server could not start: ${
          inUse ? `port ${demoPort} is in use (give another with --demo-port)` : (error as Error).message
        }`,
      );
    }
    serverUrl = demoServer?.url;
    if (serverUrl) process.stdout.write(demoCredentialsText(serverUrl));
  }
}

const harness = await startHarness({
  profileDir,
  rendererDir,
  port,
  appVersion: version,
  migrationsDir: join(projectRoot, 'src/core/store/migrations'),
  pullWorkerPath: join(projectRoot, 'src/core/sync/pull-worker.ts'),
  ...(autoLockSeconds ? { autoLockSeconds } : {}),
});

if (demo && serverUrl) {
  const outcome = await setUpDemoWorkstation(harness.core, {
    serverUrl,
    username: DEMO_SIGN_IN_USERNAME,
    password: DEMO_PASSWORD,
    passphrase: DEMO_WORKSTATION_PASSPHRASE,
  });
  switch (outcome.status) {
    case 'signedIn':
      process.stdout.write(
        `Workstation signed in to ${serverUrl} as ${DEMO_SIGN_IN_USERNAME} (${outcome.displayName}); ` +
          `passphrase "${DEMO_WORKSTATION_PASSPHRASE}".\n`,
      );
      break;
    case 'alreadySetUp':
      process.stdout.write(
        outcome.vault === 'unavailable'
          ? 'The workstation profile cannot be opened (is another harness using it?).\n'
          : `Workstation profile already set up; unlock it with "${DEMO_WORKSTATION_PASSPHRASE}". ` +
              'Start with --reset for a fresh demo.\n',
      );
      break;
    case 'signInUnavailable':
      process.stdout.write(
        'This workstation cannot sign in to a clinic server yet; create a passphrase in the browser instead.\n',
      );
      break;
    case 'failed':
      process.stderr.write(
        `Setting up the demo workstation failed at ${outcome.step}: ${outcome.code} ${outcome.message}\n`,
      );
      break;
  }
}
process.stdout.write(`Continuum harness (profile: ${profileDir})\nOpen: ${harness.url}\n`);

const stop = (): void => {
  void harness
    .close()
    .then(() => demoServer?.close())
    .finally(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
