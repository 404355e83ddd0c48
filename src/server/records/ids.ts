import { createHash } from 'node:crypto';

/**
 * A name-based UUID (RFC 9562 version 8: the first 122 bits of SHA-256 of `name`), for records
 * whose id the server chooses but must find again: a replayed co-signature without a
 * workstation id, a device's addendum proposal, a template version.
 */
export function derivedUuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
