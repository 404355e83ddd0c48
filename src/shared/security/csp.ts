/**
 * The Content-Security-Policy of every page the renderer shows. Main sends it as a header on
 * the app protocol, the browser harness sends the same header, and index.html repeats it in a
 * meta tag (a test keeps them equal). `connect-src 'self'` also covers the harness WebSocket,
 * which is served from the page's own origin. Mantine injects styles, hence style-src inline.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "media-src 'self' blob: mediastream:",
  "worker-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

/** Directives that only work as an HTTP header, not in a meta tag. */
export const CONTENT_SECURITY_POLICY_HEADER_ONLY = "frame-ancestors 'none'";

export function contentSecurityPolicyHeader(): string {
  return `${CONTENT_SECURITY_POLICY}; ${CONTENT_SECURITY_POLICY_HEADER_ONLY}`;
}
