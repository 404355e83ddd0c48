import { describe, expect, it } from 'vitest';
import { isAllowedNavigation, isOpenableExternally, isPermissionGranted, originOf } from '../../src/main/permissions';

const APP = 'continuum://app';
const on = { appOrigin: APP, videoEnabled: true };
const off = { appOrigin: APP, videoEnabled: false };

describe('isPermissionGranted', () => {
  it('grants camera and microphone to the app origin while video is enabled', () => {
    expect(
      isPermissionGranted({ permission: 'media', requestingOrigin: APP, mediaTypes: ['audio', 'video'] }, on),
    ).toBe(true);
    expect(isPermissionGranted({ permission: 'media', requestingOrigin: APP, mediaTypes: ['video'] }, on)).toBe(true);
    expect(isPermissionGranted({ permission: 'media', requestingOrigin: APP }, on)).toBe(true);
  });

  it('refuses media while video is disabled', () => {
    expect(
      isPermissionGranted({ permission: 'media', requestingOrigin: APP, mediaTypes: ['audio', 'video'] }, off),
    ).toBe(false);
    expect(isPermissionGranted({ permission: 'media', requestingOrigin: APP }, off)).toBe(false);
  });

  it.each(['https://evil.example', 'http://127.0.0.1:5173', 'continuum://other', 'file://', 'null', ''])(
    'refuses media to the origin %j',
    (requestingOrigin) => {
      expect(isPermissionGranted({ permission: 'media', requestingOrigin, mediaTypes: ['video'] }, on)).toBe(false);
    },
  );

  it('refuses media types other than camera and microphone', () => {
    expect(isPermissionGranted({ permission: 'media', requestingOrigin: APP, mediaTypes: ['screen'] }, on)).toBe(false);
    expect(
      isPermissionGranted({ permission: 'media', requestingOrigin: APP, mediaTypes: ['video', 'desktop'] }, on),
    ).toBe(false);
  });

  it.each([
    'geolocation',
    'notifications',
    'midi',
    'midiSysex',
    'pointerLock',
    'fullscreen',
    'openExternal',
    'display-capture',
    'clipboard-read',
    'clipboard-sanitized-write',
    'mediaKeySystem',
    'idle-detection',
    'storage-access',
    'window-management',
    'hid',
    'serial',
    'usb',
    'unknown',
  ])('refuses %s even to the app origin with video enabled', (permission) => {
    expect(isPermissionGranted({ permission, requestingOrigin: APP }, on)).toBe(false);
  });

  it('never treats an opaque origin as the app origin', () => {
    expect(
      isPermissionGranted({ permission: 'media', requestingOrigin: 'null' }, { appOrigin: 'null', videoEnabled: true }),
    ).toBe(false);
  });

  it('works with origins computed from the URLs Electron reports', () => {
    expect(
      isPermissionGranted(
        { permission: 'media', requestingOrigin: originOf('continuum://app/conference'), mediaTypes: ['video'] },
        on,
      ),
    ).toBe(true);
    expect(
      isPermissionGranted(
        { permission: 'media', requestingOrigin: originOf('data:text/html,x'), mediaTypes: ['video'] },
        on,
      ),
    ).toBe(false);
  });
});

describe('originOf', () => {
  it.each([
    ['continuum://app/index.html', 'continuum://app'],
    ['continuum://app', 'continuum://app'],
    ['CONTINUUM://APP/x', 'continuum://app'],
    ['continuum://app.evil.example/x', 'continuum://app.evil.example'],
    ['http://localhost:5173/today', 'http://localhost:5173'],
    ['https://example.org/a?b#c', 'https://example.org'],
    ['data:text/html,<script>alert(1)</script>', 'null'],
    ['javascript:alert(1)', 'null'],
    ['file:///etc/passwd', 'null'],
    ['about:blank', 'null'],
    ['not a url', 'null'],
    ['', 'null'],
  ])('%s → %s', (url, origin) => {
    expect(originOf(url)).toBe(origin);
  });
});

describe('isAllowedNavigation', () => {
  it('allows pages of the app itself', () => {
    expect(isAllowedNavigation('continuum://app/index.html', APP)).toBe(true);
    expect(isAllowedNavigation('continuum://app/caseload?x=1#top', APP)).toBe(true);
  });

  it('allows the dev server origin when that is the app origin', () => {
    expect(isAllowedNavigation('http://localhost:5173/settings', 'http://localhost:5173')).toBe(true);
    expect(isAllowedNavigation('http://localhost:5174/settings', 'http://localhost:5173')).toBe(false);
  });

  it.each([
    'javascript:alert(document.cookie)',
    'JaVaScRiPt:alert(1)',
    'file:///etc/passwd',
    'file:///C:/Windows/System32/',
    'data:text/html,<h1>phish</h1>',
    'http://evil.example/',
    'https://evil.example/',
    'https://app/',
    'continuum://app.evil.example/',
    'continuum://evil/',
    'blob:https://evil.example/1234',
    'about:blank',
    'chrome://settings',
    'devtools://devtools/bundled/inspector.html',
    'not a url',
    '//app/index.html',
    '',
  ])('refuses %j', (url) => {
    expect(isAllowedNavigation(url, APP)).toBe(false);
  });

  it('refuses everything when the app origin itself is opaque', () => {
    expect(isAllowedNavigation('data:text/html,x', 'null')).toBe(false);
    expect(isAllowedNavigation('javascript:1', 'null')).toBe(false);
  });
});

describe('isOpenableExternally', () => {
  it('opens https links in the system browser', () => {
    expect(isOpenableExternally('https://988lifeline.org/')).toBe(true);
    expect(isOpenableExternally('HTTPS://example.org/path')).toBe(true);
  });

  it.each([
    'http://example.org/',
    'javascript:alert(1)',
    'file:///etc/passwd',
    'data:text/html,x',
    'smb://server/share',
    'mailto:someone@example.org',
    'continuum://app/index.html',
    'vbscript:msgbox',
    'ms-msdt:/id',
    'https//missing-colon.example',
    'not a url',
    '',
  ])('refuses %j', (url) => {
    expect(isOpenableExternally(url)).toBe(false);
  });
});
