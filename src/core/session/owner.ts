import type { SqliteDatabase } from '../store/open-database';
import { readMeta, writeMeta } from '../store/store-meta';

/**
 * The clinician this cache belongs to: the user of its first sign-in, kept in the encrypted
 * cache. Only that clinician may sign in on it again (SessionService), and their own notes are
 * told apart from the care team's by it (src/core/notes/context.ts) whether or not signed in now.
 */
const OWNER_KEY = 'session.ownerUserId';

export const ownerOf = (sqlite: SqliteDatabase): string | null => readMeta(sqlite, OWNER_KEY);

export function recordOwner(sqlite: SqliteDatabase, userId: string): void {
  writeMeta(sqlite, OWNER_KEY, userId);
}
