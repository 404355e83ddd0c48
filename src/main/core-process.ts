import { MessageChannelMain, utilityProcess, type UtilityProcess, type WebContents } from 'electron';
import { join } from 'node:path';

export interface CoreProcessOptions {
  /** Built core bundle (out/main/core.js). */
  entry: string;
  profileDir: string;
  appVersion: string;
  /** better-sqlite3 built for Electron's ABI, when it is not the one in node_modules (development). */
  sqliteBinding?: string;
  /** Called when the core exits unexpectedly; main restarts it and reloads windows. */
  onCrash(code: number): void;
}

/**
 * Runs the workstation core (src/core) in an Electron utility process and connects windows to
 * it with a private MessagePort each. Main never sees RPC traffic.
 */
export class CoreProcess {
  private child: UtilityProcess | undefined;
  private stopping = false;

  constructor(private readonly options: CoreProcessOptions) {}

  start(): void {
    this.stopping = false;
    const child = utilityProcess.fork(this.options.entry, [], {
      serviceName: 'Continuum core',
      stdio: 'inherit',
      env: {
        ...process.env,
        CONTINUUM_PROFILE_DIR: this.options.profileDir,
        CONTINUUM_APP_VERSION: this.options.appVersion,
        ...(this.options.sqliteBinding ? { CONTINUUM_SQLITE_BINDING: this.options.sqliteBinding } : {}),
      },
    });
    child.on('exit', (code) => {
      if (this.child === child) this.child = undefined;
      if (!this.stopping) this.options.onCrash(code);
    });
    this.child = child;
  }

  /** Give a window's renderer (through its preload) a fresh port to the core. */
  connect(contents: WebContents): void {
    if (!this.child) return;
    const { port1, port2 } = new MessageChannelMain();
    this.child.postMessage({ type: 'connect-window' }, [port1]);
    contents.postMessage('core:port', null, [port2]);
  }

  /** Electron knows how long the whole system has been idle; the core decides when to lock. */
  reportSystemIdle(idleSeconds: number): void {
    this.child?.postMessage({ type: 'system-idle', idleSeconds });
  }

  /** The operating system locked the screen or is going to sleep: lock the workstation too. */
  lockNow(): void {
    this.child?.postMessage({ type: 'lock-now' });
  }

  stop(): void {
    this.stopping = true;
    this.child?.postMessage({ type: 'shutdown' });
  }
}

export function coreEntryPath(mainDir: string): string {
  return join(mainDir, 'core.js');
}
