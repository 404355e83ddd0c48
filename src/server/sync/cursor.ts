/**
 * The pull cursor: opaque to the workstation. `seq` is the last change the replica has seen;
 * `assignmentsUs` is the newest care-assignment update of the user that the replica has seen
 * (purges and scope growth are judged against it); `epoch` is the feed's epoch when the cursor
 * was given (null until an administrator first declares the database restored from a backup,
 * `npm run admin -- restored`): a cursor of another epoch names a change of a history the
 * database no longer has.
 *
 * Encoded `base64url("v1:<seq>:<assignmentsUs>")` in the first epoch (as before epochs existed),
 * `base64url("v2:<epoch>:<seq>:<assignmentsUs>")` after.
 */
export interface PullCursor {
  seq: number;
  assignmentsUs: number;
  epoch: string | null;
}

/** The feed's epoch is kept in `server_keys` under this name (no row: the first epoch). */
export const FEED_EPOCH_KEY = 'sync-feed-epoch';

export function encodeCursor(cursor: PullCursor): string {
  const text =
    cursor.epoch === null
      ? `v1:${cursor.seq}:${cursor.assignmentsUs}`
      : `v2:${cursor.epoch}:${cursor.seq}:${cursor.assignmentsUs}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** The cursor, or null when it is not one of ours (garbled, another version). */
export function decodeCursor(text: string): PullCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return null;
  // An epoch is what `restored` makes (a random UUID), and nothing else.
  const match =
    /^(?:v1|v2:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})):(0|[1-9][0-9]{0,15}):(0|[1-9][0-9]{0,15})$/.exec(
      Buffer.from(text, 'base64url').toString('utf8'),
    );
  if (!match) return null;
  const epoch = match[1] ?? null;
  const seq = Number(match[2]);
  const assignmentsUs = Number(match[3]);
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(assignmentsUs)) return null;
  return { seq, assignmentsUs, epoch };
}
