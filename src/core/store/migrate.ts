import { copyFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';
import type { Logger } from '../logging/logger';
import { MigrationError, StoreError, toStoreError } from './errors';
import type { SqliteDatabase } from './open-database';

/** drizzle's bookkeeping table, so drizzle-kit tooling sees the same history. */
const MIGRATIONS_TABLE = '__drizzle_migrations';

export interface MigrateOptions {
  /** Folder with the drizzle-kit output (`meta/_journal.json` + `NNNN_*.sql`). */
  migrationsDir: string;
  /** The database file (for the safety copy). */
  dbPath: string;
  logger?: Logger;
  /** Apply only the first N migrations (tests build older-schema fixtures with this). */
  upTo?: number;
}

export interface MigrateResult {
  applied: string[];
  /** Schema version after migrating: the number of applied migrations. */
  version: number;
}

export interface MigrationPlan {
  all: Array<MigrationMeta & { tag: string }>;
  pending: Array<MigrationMeta & { tag: string }>;
}

/** Which migrations exist in `migrationsDir` and which of them this database still lacks. */
export function planMigrations(db: SqliteDatabase, migrationsDir: string, upTo?: number): MigrationPlan {
  let all: Array<MigrationMeta & { tag: string }>;
  try {
    const journal = readJournalTags(migrationsDir);
    all = readMigrationFiles({ migrationsFolder: migrationsDir }).map((m, i) => ({ ...m, tag: journal[i] ?? `#${i}` }));
  } catch (error) {
    throw new StoreError('MIGRATION_FAILED', 'The database migrations were not found with this build.', {
      cause: error,
    });
  }
  if (upTo !== undefined) all = all.slice(0, upTo);
  db.exec(
    `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric)`,
  );
  const last = db.prepare(`SELECT created_at FROM "${MIGRATIONS_TABLE}" ORDER BY created_at DESC LIMIT 1`).get() as
    { created_at: number | string } | undefined;
  const lastMillis = last ? Number(last.created_at) : -1;
  return { all, pending: all.filter((m) => m.folderMillis > lastMillis) };
}

/**
 * Bring the database to the newest schema. When migrations are pending:
 * 1. checkpoint the WAL into the main file (TRUNCATE), so the file alone is the whole database;
 * 2. copy the file aside (`<db>.pre-migration`, still encrypted) and fsync the copy;
 * 3. run every pending migration in ONE transaction (foreign keys off, checked before commit),
 *    recording each in __drizzle_migrations;
 * 4. on success remove the copy; on failure roll back, close the connection, restore the copy
 *    over the database (removing the WAL), and throw MigrationError. The caller must not use
 *    `db` after a MigrationError: it is closed.
 */
export function migrateDatabase(db: SqliteDatabase, options: MigrateOptions): MigrateResult {
  const plan = planMigrations(db, options.migrationsDir, options.upTo);
  if (plan.pending.length === 0) return { applied: [], version: plan.all.length };

  const backup = `${options.dbPath}.pre-migration`;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    copyDurably(options.dbPath, backup);
  } catch (error) {
    throw toStoreError(error, 'copying the database before migrating');
  }

  const log = options.logger;
  let current = plan.pending[0]?.tag ?? '?';
  try {
    const insert = db.prepare(`INSERT INTO "${MIGRATIONS_TABLE}" ("hash", "created_at") VALUES (?, ?)`);
    // SQLite's procedure for schema changes: foreign keys OFF outside the transaction (inside
    // it the pragma is a no-op, and a table rebuild's DROP TABLE would cascade-delete child
    // rows), then foreign_key_check before COMMIT so a violating migration rolls back.
    db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        for (const migration of plan.pending) {
          current = migration.tag;
          for (const statement of migration.sql) {
            if (statement.trim()) db.exec(statement);
          }
          insert.run(migration.hash, migration.folderMillis);
        }
        const violations = db.pragma('foreign_key_check') as unknown[];
        if (violations.length > 0) throw new Error(`${violations.length} foreign key violations after migrating`);
      })();
    } finally {
      db.pragma('foreign_keys = ON');
    }
  } catch (error) {
    const restored = restore(db, options.dbPath, backup);
    log?.error({ code: 'MIGRATION_FAILED', migration: current, restored }, 'migration failed');
    throw new MigrationError(current, restored, error);
  }
  rmSync(backup, { force: true });
  const applied = plan.pending.map((m) => m.tag);
  log?.info({ applied, version: plan.all.length }, 'database migrated');
  return { applied, version: plan.all.length };
}

function restore(db: SqliteDatabase, dbPath: string, backup: string): boolean {
  try {
    db.close();
  } catch {
    // Closing a connection whose transaction failed can itself fail; the copy is what counts.
  }
  try {
    copyDurably(backup, dbPath);
    rmSync(`${dbPath}-wal`, { force: true });
    rmSync(`${dbPath}-shm`, { force: true });
    rmSync(backup, { force: true });
    return true;
  } catch {
    // Leave the copy where it is: support can still recover it by hand.
    return false;
  }
}

function copyDurably(from: string, to: string): void {
  copyFileSync(from, to);
  if (statSync(from).size !== statSync(to).size) throw new Error('copy is incomplete');
  const fd = openSync(to, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function readJournalTags(migrationsDir: string): string[] {
  const path = `${migrationsDir}/meta/_journal.json`;
  if (!existsSync(path)) throw new Error('meta/_journal.json is missing');
  const journal = JSON.parse(readFileSync(path, 'utf8')) as { entries: Array<{ tag: string }> };
  return journal.entries.map((e) => e.tag);
}
