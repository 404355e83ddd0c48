/**
 * The pull cursor: opaque to the workstation, `base64url("v1:<seq>:<assignmentsUs>")` here.
 * `seq` is the last change the replica has seen; `assignmentsUs` is the newest care-assignment
 * update of the user that the replica has seen (purges and scope growth are judged against it).
 */
export interface PullCursor {
  seq: number;
  assignmentsUs: number;
}

export function encodeCursor(cursor: PullCursor): string {
  return Buffer.from(`v1:${cursor.seq}:${cursor.assignmentsUs}`, 'utf8').toString('base64url');
}

/** The cursor, or null when it is not one of ours (garbled, another version). */
export function decodeCursor(text: string): PullCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return null;
  const match = /^v1:(0|[1-9][0-9]{0,15}):(0|[1-9][0-9]{0,15})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match) return null;
  const seq = Number(match[1]);
  const assignmentsUs = Number(match[2]);
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(assignmentsUs)) return null;
  return { seq, assignmentsUs };
}
