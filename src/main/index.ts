/**
 * Electron main: lifecycle, the window, OS integration, and wiring the renderer to the core.
 * No business logic lives here; the core (src/core) runs in a utility process.
 */
import { app, BrowserWindow, session } from 'electron';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { APP_ORIGIN, registerAppScheme, serveRenderer } from './app-protocol';
import { CoreProcess, coreEntryPath } from './core-process';
import { installApplicationMenu } from './menu';
import { hardenSession, hardenWebContents } from './security';
import { mainWindowOptions } from './window-options';

const mainDir = fileURLToPath(new URL('.', import.meta.url));
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const appOrigin = devServerUrl ? new URL(devServerUrl).origin : APP_ORIGIN;

if (!app.requestSingleInstanceLock()) {
  // Another Continuum owns this profile; it gets focus through 'second-instance'.
  app.quit();
} else {
  registerAppScheme();
  app.enableSandbox();

  let mainWindow: BrowserWindow | undefined;
  let crashes = 0;

  const core = new CoreProcess({
    entry: coreEntryPath(mainDir),
    profileDir: join(app.getPath('userData'), 'profile'),
    appVersion: app.getVersion(),
    onCrash: () => {
      crashes += 1;
      if (crashes > 3) {
        app.quit();
        return;
      }
      setTimeout(() => {
        core.start();
        mainWindow?.webContents.reload();
      }, 500 * crashes);
    },
  });

  const createWindow = (): void => {
    const window = new BrowserWindow(mainWindowOptions(join(mainDir, '../preload/index.cjs')));
    mainWindow = window;
    window.once('ready-to-show', () => window.show());
    // Each load (including a reload) runs the preload again and needs its own port.
    window.webContents.on('did-finish-load', () => core.connect(window.webContents));
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = undefined;
    });
    void window.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`);
  };

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, appOrigin));

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession, appOrigin);
    serveRenderer(join(mainDir, '../renderer'));
    installApplicationMenu(!app.isPackaged);
    core.start();
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => core.stop());
}
