/**
 * `npm run dev:web [-- --data <dir>] [--port <n>]`: run the workstation in a browser.
 * Builds nothing itself: it serves out/renderer, so run `npm run build` after changing the UI
 * (the npm script `dev:web` does that first).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startHarness } from './harness-server';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    port: { type: 'string' },
    'auto-lock-seconds': { type: 'string' },
  },
  strict: true,
});

const projectRoot = resolve(import.meta.dirname, '../..');
const rendererDir = join(projectRoot, 'out/renderer');
if (!existsSync(join(rendererDir, 'index.html'))) {
  process.stderr.write('The renderer is not built yet. Run `npm run build` first.\n');
  process.exit(1);
}

const profileDir = values.data ? resolve(values.data, 'workstation') : mkdtempSync(join(tmpdir(), 'continuum-'));
const port = values.port ? Number.parseInt(values.port, 10) : 0;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write('--port takes a number from 0 to 65535.\n');
  process.exit(1);
}
const autoLockSeconds = values['auto-lock-seconds'] ? Number.parseInt(values['auto-lock-seconds'], 10) : undefined;
if (autoLockSeconds !== undefined && !(Number.isInteger(autoLockSeconds) && autoLockSeconds > 0)) {
  process.stderr.write('--auto-lock-seconds takes a positive whole number.\n');
  process.exit(1);
}
const { version } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string };

const harness = await startHarness({
  profileDir,
  rendererDir,
  port,
  appVersion: version,
  migrationsDir: join(projectRoot, 'src/core/store/migrations'),
  ...(autoLockSeconds ? { autoLockSeconds } : {}),
});
process.stdout.write(`Continuum harness (profile: ${profileDir})\nOpen: ${harness.url}\n`);

const stop = (): void => {
  void harness.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
