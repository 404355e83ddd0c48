/**
 * Error codes that cross the RPC boundary. They are stable: the renderer branches on them,
 * translates them, and they appear in logs. Never add a stack trace, SQL or PHI to `message`.
 */
export const RPC_ERROR_CODES = [
  /** The request did not match the contract (method input or wire format). */
  'BAD_REQUEST',
  /** No such method or event in the contract. */
  'UNKNOWN_METHOD',
  /** The workstation is locked; unlock before calling this method. */
  'LOCKED',
  /** The caller may not do this. */
  'FORBIDDEN',
  /** The record does not exist (or is not in this clinician's scope). */
  'NOT_FOUND',
  /** The change conflicts with the current state (for example a signed note). */
  'CONFLICT',
  /** The caller cancelled the request. */
  'CANCELLED',
  /** No answer within the caller's time limit. */
  'TIMEOUT',
  /** The core is not reachable (not started, restarting, or the connection dropped). */
  'UNAVAILABLE',
  /** The workstation passphrase is not correct. */
  'WRONG_PASSPHRASE',
  /** Too many failed unlocks: wait before trying again (see vault.status retryAfterMs). */
  'UNLOCK_THROTTLED',
  /** The new passphrase does not meet the rules. */
  'PASSPHRASE_TOO_WEAK',
  /** The device secret is gone from the OS keychain: the cache cannot be opened on this device. */
  'KEYCHAIN_ENTRY_MISSING',
  /** The OS keychain is not reachable, but this cache needs the device secret kept there. */
  'KEYCHAIN_UNAVAILABLE',
  /** The encrypted cache or its key file is damaged, or a migration failed (nothing was reset). */
  'STORE_DAMAGED',
  /** The disk is full: the change was not saved. */
  'DISK_FULL',
  /** Another Continuum process is using this profile. */
  'PROFILE_IN_USE',
  /** The clinic server address is not acceptable (not https, or http to anything but this computer). */
  'SERVER_URL_REJECTED',
  /** The clinic server cannot be reached (offline, server down, wrong address). */
  'SERVER_UNREACHABLE',
  /** The clinic server answered something this workstation does not understand (wrong server?). */
  'SERVER_INCOMPATIBLE',
  /** Username or password not accepted by the clinic server. */
  'INVALID_CREDENTIALS',
  /** Too many sign-in attempts: wait before trying again. */
  'RATE_LIMITED',
  /** The clinic server session ended: sign in again. */
  'SIGN_IN_REQUIRED',
  /** A signed note (or addendum) is never edited: add an addendum instead. */
  'NOTE_LOCKED',
  /** The note lacks something its template requires for signing (the message lists what). */
  'NOTE_INCOMPLETE',
  /** The note is longer than a note may be (MAX_NOTE_CONTENT_BYTES): it was not saved. */
  'NOTE_TOO_LONG',
  /** A change is larger than one push may carry (MAX_MUTATION_ARGS_BYTES): it was not made. */
  'CHANGE_TOO_LARGE',
  /** Something failed inside the core; details are in the core's log under `ref`. */
  'INTERNAL',
] as const;

export type RpcErrorCode = (typeof RPC_ERROR_CODES)[number];

export interface RpcErrorShape {
  code: RpcErrorCode;
  message: string;
  /** A short reference to find the matching entry in the core's log. Never PHI. */
  ref?: string;
}

/** An error that is meant to reach the caller as `{code, message}`. */
export class RpcError extends Error {
  readonly code: RpcErrorCode;
  readonly ref: string | undefined;

  constructor(code: RpcErrorCode, message: string, ref?: string) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
    this.ref = ref;
  }

  toShape(): RpcErrorShape {
    return this.ref === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, ref: this.ref };
  }
}

export function isRpcErrorCode(value: unknown): value is RpcErrorCode {
  return typeof value === 'string' && (RPC_ERROR_CODES as readonly string[]).includes(value);
}
