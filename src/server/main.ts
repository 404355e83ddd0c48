import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildServer } from './app.js';
import { configForDatabase, parseTrustedProxies } from './config.js';
import { openDatabase } from './db/database.js';
import { createServerLogger } from './logger.js';
import { loadTemplateFile } from './records/templates.js';

/**
 * `npm run server -- [--data <dir>] [--port n] [--host h] [--cert f --key f] [--templates f] [--trust-proxy a,b]`
 * DATABASE_URL selects PostgreSQL; otherwise PGlite in `<dir>` (default ./clinic-data).
 * Without a certificate the server speaks plain HTTP and binds to 127.0.0.1 unless told otherwise.
 * `--templates`: the clinic's own note templates (JSON, records/templates.ts), checked before
 * anything else starts: an invalid file stops the server with the problems listed.
 * `--trust-proxy`: the reverse proxies (addresses, CIDR ranges) whose X-Forwarded-For is believed
 * (config.ts `trustProxy`; docs/clinic-server.md).
 */
const usage =
  'Usage: npm run server -- [--data <dir>] [--port <n>] [--host <address>] [--cert <file> --key <file>] [--templates <file>]\n' +
  '                         [--trust-proxy <address or CIDR>[,…]]\n';

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        data: { type: 'string', default: './clinic-data' },
        port: { type: 'string', default: '8443' },
        host: { type: 'string', default: '127.0.0.1' },
        cert: { type: 'string' },
        key: { type: 'string' },
        templates: { type: 'string' },
        'trust-proxy': { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
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
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`--port must be a port number\n${usage}`);
    process.exitCode = 2;
    return;
  }
  if ((values.cert === undefined) !== (values.key === undefined)) {
    process.stderr.write(`--cert and --key go together\n${usage}`);
    process.exitCode = 2;
    return;
  }
  let trustProxy: string | undefined;
  if (values['trust-proxy'] !== undefined) {
    try {
      trustProxy = parseTrustedProxies(values['trust-proxy']);
    } catch (error) {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
      process.exitCode = 2;
      return;
    }
  }
  const tls =
    values.cert !== undefined && values.key !== undefined
      ? { cert: readFileSync(values.cert), key: readFileSync(values.key) }
      : undefined;

  // Before the database opens: a bad templates file fails fast, with nothing to clean up.
  const templates = values.templates !== undefined ? loadTemplateFile(values.templates) : undefined;

  const logger = createServerLogger({ level: values['log-level'] });
  const url = process.env['DATABASE_URL'];
  const database = await openDatabase(url ? { databaseUrl: url } : { dataDir: path.resolve(values.data) });
  logger.info({ database: database.kind }, 'database ready');
  let app;
  try {
    app = await buildServer({
      db: database.db,
      logger,
      config: { ...configForDatabase(database.kind), ...(trustProxy ? { trustProxy } : {}) },
      ...(tls ? { tls } : {}),
      ...(templates ? { templates } : {}),
    });
  } catch (error) {
    await database.close();
    throw error;
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    void app
      .close()
      .then(() => database.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  await app.listen({ port, host: values.host });
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const shownHost = values.host.includes(':') ? `[${values.host}]` : values.host;
  process.stdout.write(`Continuum clinic server listening on ${tls ? 'https' : 'http'}://${shownHost}:${boundPort}\n`);
  if (!tls && values.host !== '127.0.0.1' && values.host !== 'localhost' && values.host !== '::1') {
    logger.warn('serving plain HTTP on a non-loopback address: workstations will refuse it; give --cert and --key');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`The server could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
