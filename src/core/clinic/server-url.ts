/**
 * The clinic server address a clinician types. HTTPS is required, except plain HTTP to this
 * computer itself (the demo server, development): PHI never crosses a network unencrypted.
 */
export type ServerUrlProblem = 'INVALID_URL' | 'INSECURE_URL' | 'UNSUPPORTED_URL';

export function parseServerUrl(text: string): { ok: true; url: URL } | { ok: false; problem: ServerUrlProblem } {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { ok: false, problem: 'INVALID_URL' };
  }
  if (url.username || url.password || url.search || url.hash) return { ok: false, problem: 'UNSUPPORTED_URL' };
  if (url.protocol === 'https:') return { ok: true, url: withoutTrailingSlash(url) };
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return { ok: true, url: withoutTrailingSlash(url) };
  if (url.protocol === 'http:') return { ok: false, problem: 'INSECURE_URL' };
  return { ok: false, problem: 'UNSUPPORTED_URL' };
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  const parts = host.split('.');
  return (
    parts.length === 4 && parts[0] === '127' && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) < 256)
  );
}

function withoutTrailingSlash(url: URL): URL {
  const copy = new URL(url.toString());
  copy.pathname = copy.pathname.replace(/\/+$/, '');
  return copy;
}
