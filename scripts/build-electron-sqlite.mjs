#!/usr/bin/env node
/**
 * Builds better-sqlite3 (the SQLCipher fork, installed as `better-sqlite3`) for the installed
 * Electron's ABI into native/electron-<version>/better_sqlite3.node, leaving the Node build in
 * node_modules untouched so that `npm test` (Node) and `npm start` (Electron) both work with
 * no rebuild in between. The core picks the right one at run time (nativeBinding option).
 * keytar needs nothing: it is a Node-API module, ABI-stable across Node and Electron.
 *
 * Needs the Electron headers (downloaded by node-gyp) and a C++ toolchain; runs once per
 * Electron version (`npm start` and `npm run dev` call it; it exits at once when done before).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const target = join(root, 'native', `electron-${electronVersion}`, 'better_sqlite3.node');
if (existsSync(target)) process.exit(0);

const source = dirname(require.resolve('better-sqlite3/package.json'));
const work = mkdtempSync(join(tmpdir(), 'continuum-electron-sqlite-'));
try {
  cpSync(source, work, { recursive: true, filter: (path) => !path.includes(`${join(source, 'build')}`) });
  const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
  const env = { ...process.env };
  // A user-level nodedir would point node-gyp at Node's headers instead of Electron's.
  for (const key of Object.keys(env)) if (key.toLowerCase() === 'npm_config_nodedir') delete env[key];
  process.stdout.write(`Building the SQLite binding for Electron ${electronVersion} (about a minute)…\n`);
  const result = spawnSync(
    process.execPath,
    [
      nodeGyp,
      'rebuild',
      '--release',
      `--target=${electronVersion}`,
      `--arch=${process.arch}`,
      '--runtime=electron',
      '--dist-url=https://electronjs.org/headers',
      '--nodedir=',
    ],
    { cwd: work, env, stdio: 'inherit' },
  );
  if (result.status !== 0) {
    process.stderr.write('Building the SQLite binding for Electron failed; see the output above.\n');
    process.exit(result.status ?? 1);
  }
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(work, 'build', 'Release', 'better_sqlite3.node'), target);
  process.stdout.write(`Built ${target}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
