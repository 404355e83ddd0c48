/**
 * Which browser permissions a Continuum page may have. Everything is refused except camera
 * and microphone ("media"), and those only for the app's own origin and only while the video
 * feature is turned on. Pure, so it is tested without Electron.
 */
export interface PermissionQuery {
  permission: string;
  /** Origin of the page asking (for example `continuum://app`). */
  requestingOrigin: string;
  /** For media requests: which devices ("audio", "video"). */
  mediaTypes?: readonly string[];
}

export interface PermissionPolicy {
  appOrigin: string;
  videoEnabled: boolean;
}

export function isPermissionGranted(query: PermissionQuery, policy: PermissionPolicy): boolean {
  if (query.requestingOrigin === 'null' || query.requestingOrigin !== policy.appOrigin) return false;
  if (query.permission !== 'media') return false;
  if (!policy.videoEnabled) return false;
  const types = query.mediaTypes ?? [];
  return types.every((type) => type === 'audio' || type === 'video');
}

const SPECIAL_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'file:']);

/**
 * The origin of a URL as Chromium sees it, or `'null'` for an opaque one. Node's URL gives
 * every non-special scheme an opaque origin, but `continuum:` is registered as a standard
 * scheme, so in Chromium `continuum://app/x` has the origin `continuum://app`.
 */
export function originOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'null';
  }
  if (SPECIAL_SCHEMES.has(parsed.protocol)) return parsed.origin;
  if (parsed.host === '') return 'null';
  return `${parsed.protocol}//${parsed.host.toLowerCase()}`;
}

/** Navigation inside a window stays on the app's own origin; everything else is refused. */
export function isAllowedNavigation(targetUrl: string, appOrigin: string): boolean {
  const origin = originOf(targetUrl);
  return origin !== 'null' && origin === appOrigin;
}

/** Links the clinician clicks may open in the system browser, but only over https. */
export function isOpenableExternally(targetUrl: string): boolean {
  try {
    return new URL(targetUrl).protocol === 'https:';
  } catch {
    return false;
  }
}
