import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { HybridLogicalClock } from '../../shared/sync/hlc';
import type { WorkstationDb } from '../store/db';
import { storeMeta } from '../store/schema';

const REPLICA_KEY = 'sync.replicaId';
const CLOCK_KEY = 'sync.hlc.last';

/**
 * This cache's identity towards the clinic server: a random replica id made once (or the one
 * proposed for a new cache, `proposed`), kept in the encrypted store (a new cache after "forgot passphrase" is a new replica), and its hybrid
 * logical clock, whose last value is persisted so that timestamps stay monotonic across restarts.
 */
export function replicaId(db: WorkstationDb, proposed?: string): string {
  const existing = db.select().from(storeMeta).where(eq(storeMeta.key, REPLICA_KEY)).get();
  if (existing) return existing.value;
  const id = proposed ?? newReplicaId();
  db.insert(storeMeta).values({ key: REPLICA_KEY, value: id }).onConflictDoNothing().run();
  return db.select().from(storeMeta).where(eq(storeMeta.key, REPLICA_KEY)).get()!.value;
}

/** A fresh replica id (chosen before its cache exists when a first run's pull begins early). */
export const newReplicaId = (): string => `r-${randomBytes(12).toString('base64url')}`;

export class PersistentClock {
  private readonly clock: HybridLogicalClock;

  constructor(
    private readonly db: WorkstationDb,
    now: () => number = Date.now,
  ) {
    this.clock = new HybridLogicalClock(replicaId(db), now);
    const last = db.select().from(storeMeta).where(eq(storeMeta.key, CLOCK_KEY)).get();
    if (last) this.clock.restore(last.value);
  }

  /** A timestamp for a local change; persisted before it is returned. */
  tick(): string {
    const value = this.clock.tick();
    this.db
      .insert(storeMeta)
      .values({ key: CLOCK_KEY, value })
      .onConflictDoUpdate({ target: storeMeta.key, set: { value } })
      .run();
    return value;
  }
}
