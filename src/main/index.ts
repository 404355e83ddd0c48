/**
 * Electron main: lifecycle, the window, OS integration, and wiring the renderer to the core.
 * No business logic lives here; the core (src/core) runs in a utility process.
 */
import { app, BrowserWindow, powerMonitor, session } from 'electron';
import { existsSync } from 'node:fs';
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
    ...electronSqliteBinding(),
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
    // Automatic logoff uses the system's idle time (keyboard and mouse anywhere), checked often
    // enough for a 1-minute setting; the screen locking or the laptop sleeping locks at once.
    setInterval(() => core.reportSystemIdle(powerMonitor.getSystemIdleTime()), 15_000).unref();
    powerMonitor.on('lock-screen', () => core.lockNow());
    powerMonitor.on('suspend', () => core.lockNow());
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => core.stop());
}

/**
 * In development the SQLite binding in node_modules is built for Node (tests use it); Electron
 * needs its own build, which `npm start` / `npm run dev` prepare in native/ (see
 * scripts/build-electron-sqlite.mjs). A packaged app has node_modules rebuilt for Electron.
 */
function electronSqliteBinding(): { sqliteBinding?: string } {
  if (app.isPackaged) return {};
  const binding = join(app.getAppPath(), 'native', `electron-${process.versions.electron}`, 'better_sqlite3.node');
  return existsSync(binding) ? { sqliteBinding: binding } : {};
}
