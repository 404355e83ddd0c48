import { shell, type Session, type WebContents } from 'electron';
import { isAllowedNavigation, isOpenableExternally, isPermissionGranted, originOf } from './permissions';

/**
 * Whether the video feature may use camera and microphone. Off until the video issue lands;
 * then it is switched on by that feature, never by a page.
 */
let videoEnabled = false;
export function setVideoEnabled(enabled: boolean): void {
  videoEnabled = enabled;
}

export function hardenSession(session: Session, appOrigin: string): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const requestingOrigin = originOf(details.requestingUrl);
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    callback(isPermissionGranted({ permission, requestingOrigin, mediaTypes }, { appOrigin, videoEnabled }));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionGranted({ permission, requestingOrigin }, { appOrigin, videoEnabled }),
  );
  session.setDevicePermissionHandler(() => false);
  session.on('will-download', (event) => event.preventDefault());
}

export function hardenWebContents(contents: WebContents, appOrigin: string): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isOpenableExternally(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, appOrigin)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, appOrigin)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
