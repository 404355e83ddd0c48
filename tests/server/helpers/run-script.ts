import { spawn } from 'node:child_process';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * One of the project's TypeScript entry points (a path from the repository's root) as a child
 * process through tsx, to its end: the command lines as an operator runs them. DATABASE_URL is
 * left out of the environment (PGlite, unless `env` sets it); `stdin` is written and closed.
 */
export function runScript(
  script: string,
  args: string[],
  { stdin = '', env = {} }: { stdin?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const { DATABASE_URL: _ignored, ...base } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: repoRoot,
      env: { ...base, ...env },
      stdio: 'pipe',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** `npm run server -- <args>` (src/server/main.ts): for the checks that stop it before it serves. */
export const runServerMain = (args: string[]): Promise<ScriptRun> => runScript('src/server/main.ts', args);
