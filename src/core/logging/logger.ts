import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** Folder for `core.log`; without it the log goes to stderr only. */
  dir?: string;
  level?: pino.Level | 'silent';
  /** Also write to stderr (development and the harness). */
  stderr?: boolean;
}

/**
 * The core's logger. Rule: log identifiers, codes and counts, never record content. Keys that
 * commonly carry PHI are redacted as a second line of defence, not as the first.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const streams: pino.StreamEntry[] = [];
  if (options.dir) {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    // Synchronous writes: an asynchronous destination loses its last lines when the process
    // exits right after a failure or a shutdown (pino's multistream cannot flush it), and these
    // are exactly the lines a support ref points to. The core logs little, so this costs nothing.
    streams.push({ stream: pino.destination({ dest: join(options.dir, 'core.log'), mkdir: true, sync: true }) });
  }
  if (options.stderr ?? !options.dir) streams.push({ stream: pino.destination(2) });
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      redact: {
        paths: PHI_KEYS.flatMap((key) => [key, `*.${key}`]),
        censor: '[redacted]',
      },
    },
    pino.multistream(streams),
  );
}

const PHI_KEYS = [
  'name',
  'firstName',
  'lastName',
  'preferredName',
  'dateOfBirth',
  'phone',
  'address',
  'email',
  'text',
  'body',
  'content',
  'note',
  'params',
  'passphrase',
  'password',
  'token',
];
