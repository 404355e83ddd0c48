import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * Options of every Continuum window. The renderer is an untrusted web page: no Node, its own
 * JavaScript world, the Chromium sandbox, no webviews, and only the preload's RPC bridge.
 * tests/unit/main-window-options.test.ts keeps these flags from drifting.
 */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 840,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Continuum',
    backgroundColor: '#1f2023',
    autoHideMenuBar: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: true,
      safeDialogs: true,
      devTools: true,
    },
  };
}
