import type { SqliteDatabase } from './open-database';

/**
 * WAL checkpoints off the typing path. SQLite's automatic checkpoint runs inside whichever
 * commit takes the WAL past `wal_autocheckpoint` pages: one autosave in every few dozen then
 * pays for encrypting and copying a thousand pages into the database file (the save's tail
 * latency). Here the automatic threshold is raised, as a safety net for long write bursts, and a
 * timer checkpoints once this connection has written nothing for `idleMs` (the clinician paused).
 *
 * A checkpoint still runs on the core's thread (better-sqlite3 is synchronous); it runs when
 * nothing was written for a while, so a save rarely has to wait behind one.
 */
export interface IdleCheckpointOptions {
  /** Quiet time after the last write before checkpointing. */
  idleMs?: number;
  /** How often the connection is looked at (a cheap `total_changes()`). */
  pollMs?: number;
  /** The automatic checkpoint's threshold, in pages (SQLite's default is 1,000). */
  autoCheckpointPages?: number;
  now?: () => number;
}

export const IDLE_CHECKPOINT_DEFAULTS = { idleMs: 500, pollMs: 250, autoCheckpointPages: 8_000 } as const;

export interface IdleCheckpoints {
  /** Checkpoints run so far (tests, benchmarks). */
  readonly count: number;
  stop(): void;
}

export function startIdleCheckpoints(sqlite: SqliteDatabase, options: IdleCheckpointOptions = {}): IdleCheckpoints {
  const idleMs = options.idleMs ?? IDLE_CHECKPOINT_DEFAULTS.idleMs;
  const pollMs = options.pollMs ?? IDLE_CHECKPOINT_DEFAULTS.pollMs;
  const now = options.now ?? Date.now;
  sqlite.pragma(`wal_autocheckpoint = ${options.autoCheckpointPages ?? IDLE_CHECKPOINT_DEFAULTS.autoCheckpointPages}`);
  const changes = sqlite.prepare('SELECT total_changes()').pluck();
  let seen = changes.get() as number;
  let lastWriteAt = now();
  let dirty = false;
  let count = 0;
  const timer = setInterval(() => {
    if (!sqlite.open) return;
    try {
      const total = changes.get() as number;
      if (total !== seen) {
        seen = total;
        lastWriteAt = now();
        dirty = true;
        return;
      }
      if (!dirty || now() - lastWriteAt < idleMs || sqlite.inTransaction) return;
      sqlite.pragma('wal_checkpoint(PASSIVE)');
      dirty = false;
      count += 1;
    } catch {
      // The connection is closing (a lock) or busy: the next tick, or SQLite's own checkpoint, does it.
    }
  }, pollMs);
  timer.unref?.();
  return {
    get count() {
      return count;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
