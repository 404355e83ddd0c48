import { parseArgs } from 'node:util';
import {
  DEFAULT_DEMO_DATA_DIR,
  DEFAULT_DEMO_PORT,
  demoCredentialsText,
  DemoServerError,
  startDemoServer,
} from './server.js';

/**
 * `npm run demo:server -- [--data <dir>] [--port <n>] [--reset] [--clients <n>] [--notes-per-client <n>] [--seed <s>]`
 *
 * The clinic server with the synthetic demo clinic, on PGlite in `--data` (default ./demo-data/server),
 * on 127.0.0.1. Seeds the clinic when the folder is new; `--reset` throws the old one away first.
 * `npm run demo` runs this together with the browser harness, signed in.
 */
const usage =
  'Usage: npm run demo:server -- [--data <dir>] [--port <n>] [--reset] [--clients <n>] [--notes-per-client <n>] [--seed <text>]\n';

const positiveInt = (value: string | undefined, name: string, min: number): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new DemoServerError(`--${name} takes a whole number from ${min}`);
  return n;
};

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        data: { type: 'string', default: `${DEFAULT_DEMO_DATA_DIR}/server` },
        port: { type: 'string', default: String(DEFAULT_DEMO_PORT) },
        reset: { type: 'boolean', default: false },
        clients: { type: 'string' },
        'notes-per-client': { type: 'string' },
        seed: { type: 'string' },
        'log-level': { type: 'string', default: 'warn' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exitCode = 2;
    return;
  }
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const port = positiveInt(values.port, 'port', 0);
  if (port === undefined || port > 65_535) throw new DemoServerError('--port takes a port number');
  const clients = positiveInt(values.clients, 'clients', 1);
  const notesPerClient = positiveInt(values['notes-per-client'], 'notes-per-client', 0);

  const server = await startDemoServer({
    dataDir: values.data,
    port,
    reset: values.reset,
    logLevel: values['log-level'],
    ...(clients !== undefined ? { clients } : {}),
    ...(notesPerClient !== undefined ? { notesPerClient } : {}),
    ...(values.seed !== undefined ? { seed: values.seed } : {}),
    print: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(demoCredentialsText(server.url));
  process.stdout.write(`Continuum clinic server listening on ${server.url}\n`);

  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    void server.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  const message =
    (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? 'the demo port is in use; give another with --port.'
      : error instanceof Error
        ? error.message
        : String(error);
  process.stderr.write(`The demo server could not start: ${message}\n`);
  process.exitCode = 1;
});
