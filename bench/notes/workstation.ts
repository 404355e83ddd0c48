/**
 * The notes benchmark's workstation: a real core (`startCore`: encrypted store on disk, vault
 * with the production scrypt cost, notes service, RPC dispatcher) with one "window" connected
 * over a real MessageChannel (structured clone, event-loop hops, zod on both ends as in the
 * app), and a plain SQLite database with the same schema and connection settings for the
 * baselines. Both are filled with the same 20,000-note caseload through the sync engine's own
 * apply path (`applyChanges` in bulk-import transactions, search index built per transaction).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCore, type Core } from '../../src/core/core';
import { createLogger } from '../../src/core/logging/logger';
import type { NotesDeps } from '../../src/core/notes/context';
import { NotesService } from '../../src/core/notes/notes-service';
import { bulkImport } from '../../src/core/store/bulk-import';
import { withBulkNoteSearch } from '../../src/core/store/bulk-note-search';
import { migrateDatabase } from '../../src/core/store/migrate';
import { openDatabase, type SqliteDatabase } from '../../src/core/store/open-database';
import { applyChanges } from '../../src/core/sync/apply-changes';
import { prepareChanges } from '../../src/core/sync/prepare-changes';
import { unavailableKeychain } from '../../src/core/vault/keychain';
import { generateDemoClinic } from '../../src/server/demo/generate';
import { RpcClient } from '../../src/shared/rpc/client';
import type { Change } from '../../src/shared/sync/protocol';
import { createRpcChannel } from '../../tests/helpers/message-channel-port';
import { generateNotes, type Corpus, type CorpusClient } from './corpus';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const MIGRATIONS_DIR = join(ROOT, 'src/core/store/migrations');
export const PASSPHRASE = 'synthetic benchmark lantern harbor';
/** The caseload's "today": the newest session. */
export const LAST_DAY = '2026-11-20';

export interface BenchWorkstation {
  core: Core;
  rpc: RpcClient;
  /** The encrypted cache (the core's unlocked store). */
  sqlite: SqliteDatabase;
  /** The same notes service the dispatcher calls, for timing without the RPC hop. */
  notes: NotesService;
  /** The same service with the passphrase re-check left out (sign time without the KDF). */
  notesWithoutKdf: NotesService;
  stop(): Promise<void>;
}

export async function startWorkstation(profileDir: string): Promise<BenchWorkstation> {
  const log = createLogger({ dir: join(profileDir, 'logs') });
  const core = startCore({
    profileDir,
    migrationsDir: MIGRATIONS_DIR,
    appVersion: '0.0.0-bench',
    runtime: 'node',
    keychain: unavailableKeychain(),
    logger: log,
    // A long benchmark must not be interrupted by the idle lock.
    autoLockSeconds: 24 * 3600,
  });
  const channel = createRpcChannel();
  core.dispatcher.connect(channel.corePort);
  const rpc = new RpcClient(channel.clientPort);
  await rpc.call('vault.create', { passphrase: PASSPHRASE });
  const deps: NotesDeps = {
    store: () => core.vault.unlockedStore,
    record: (work) => core.sync.record(work),
    userId: () => core.session.userId(),
    verifyPassphrase: (passphrase) => core.vault.verifyPassphrase(passphrase),
    language: () => 'en',
    exportsDir: join(profileDir, 'exports'),
    log,
  };
  const notes = new NotesService(deps);
  const notesWithoutKdf = new NotesService({ ...deps, verifyPassphrase: async () => undefined });
  return {
    core,
    rpc,
    sqlite: core.vault.unlockedStore.sqlite,
    notes,
    notesWithoutKdf,
    stop: async () => {
      rpc.close();
      channel.close();
      await core.close();
    },
  };
}

export function openPlainDatabase(path: string): SqliteDatabase {
  const sqlite = openDatabase(path, { key: null, create: true });
  migrateDatabase(sqlite, { migrationsDir: MIGRATIONS_DIR, dbPath: path });
  return sqlite;
}

export interface Caseload {
  /** Everything a first sync brings (staff, clients, appointments, measures, …, notes). */
  changes: Change[];
  corpus: Corpus;
  me: string;
  myClients: string[];
  clients: number;
}

/**
 * The demo clinic's 60 clients with their records (no notes of its own), and `notes` notes from
 * the benchmark's text generator, written by each client's primary clinician.
 */
export function buildCaseload(notes: number): Caseload {
  const clinic = generateDemoClinic({ clients: 60, notesPerClient: 0, now: new Date(`${LAST_DAY}T18:00:00Z`) });
  const me = clinic.users.find((user) => user.key === 'clinician1')?.id;
  if (!me) throw new Error('the demo clinic has no clinician1');
  const clients: CorpusClient[] = clinic.records.flatMap((record) =>
    record.entity === 'client'
      ? [{ id: record.id, authorId: (record.data as { primaryClinicianId: string | null }).primaryClinicianId ?? me }]
      : [],
  );
  const corpus = generateNotes(clients, notes, { lastDay: LAST_DAY });
  const records: Change[] = clinic.records.map((record) => ({
    op: 'put',
    entity: record.entity,
    id: record.id,
    clientId: record.clientId,
    version: 1,
    data: record.data as Record<string, unknown>,
  }));
  return {
    changes: [...records, ...corpus.changes],
    corpus,
    me,
    myClients: clients.filter((client) => client.authorId === me).map((client) => client.id),
    clients: clients.length,
  };
}

/**
 * Write the caseload as the sync engine's initial pull does: pages of 1,000 changes, five pages
 * per bulk-import transaction, notes indexed for search once per transaction, foreign keys off
 * while a batch is written. Then the signed-in clinician is recorded as the cache's owner (what
 * sign-in stores), so notes can be written offline.
 */
export function seed(sqlite: SqliteDatabase, caseload: Caseload): number {
  const start = performance.now();
  const now = new Date().toISOString();
  const perTransaction = 5_000;
  for (let i = 0; i < caseload.changes.length; i += perTransaction) {
    const batch = caseload.changes.slice(i, i + perTransaction);
    const write = () => {
      for (let page = 0; page < batch.length; page += 1_000) {
        const result = applyChanges(sqlite, prepareChanges(batch.slice(page, page + 1_000)), {
          pendingKeys: new Set(),
          defer: () => undefined,
          now,
        });
        if (result.skipped.length > 0)
          throw new Error(`seeding skipped ${result.skipped.length} records (${result.skipped[0]?.reason})`);
      }
    };
    const transaction = sqlite.transaction(() => withBulkNoteSearch(sqlite, write));
    sqlite.pragma('foreign_keys = OFF');
    try {
      bulkImport(sqlite, () => transaction());
    } finally {
      sqlite.pragma('foreign_keys = ON');
    }
  }
  sqlite
    .prepare('INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
    .run('session.ownerUserId', caseload.me);
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  return performance.now() - start;
}
