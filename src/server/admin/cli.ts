import { parseArgs } from 'node:util';
import { DataDirInUseError, openDatabase, type Database, type DatabaseOptions } from '../db/database.js';
import { parseCommand, usage, UsageError, type AdminIo } from './commands.js';

/**
 * `npm run admin -- [--data <dir>] <command> [options]`: the clinic's admin command line. It
 * works on the database the server uses (DATABASE_URL, or the PGlite data directory; a PGlite
 * directory is single-process, so stop the server first). Exit codes: 0 ok, 1 failure, 2 usage.
 */
export async function runAdminCli(
  argv: string[],
  io: AdminIo,
  env: NodeJS.ProcessEnv = process.env,
  open: (options: DatabaseOptions) => Promise<Database> = openDatabase,
): Promise<number> {
  let database: Database | undefined;
  try {
    const { values, tokens } = parseArgs({
      args: argv,
      options: { data: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: false,
      allowPositionals: true,
      tokens: true,
    });
    // Global options come before the command; everything from the command on is the command's.
    const first = tokens.find((token) => token.kind === 'positional');
    const commandArgs = first ? argv.slice(first.index) : [];
    if (values['help'] === true && !first) {
      io.stdout(usage());
      return 0;
    }
    const command = parseCommand(commandArgs);
    const dataDir = typeof values['data'] === 'string' ? values['data'] : './clinic-data';
    const url = env['DATABASE_URL'];
    database = await open(url ? { databaseUrl: url, poolSize: 2 } : { dataDir });
    await command.spec.run(database.db, command.options, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`Error: ${error.message}\n\n${usage()}`);
      return 2;
    }
    if (error instanceof DataDirInUseError) {
      io.stderr(
        `Error: the data directory is in use by process ${error.pid} (the server?). PGlite allows one process: stop the server first, or use DATABASE_URL.\n`,
      );
      return 1;
    }
    io.stderr(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await database?.close();
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const io: AdminIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
  process.exitCode = await runAdminCli(process.argv.slice(2), io);
}
