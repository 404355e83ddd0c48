/**
 * Automatic logoff: lock after `timeoutMs` without activity. Activity comes from the renderer
 * (keyboard and pointer, through `session.activity`) and, in the Electron shell, from the
 * system's idle time reported by main. Time is checked, not assumed: a sleeping laptop that
 * wakes after the deadline locks at once.
 */
export class IdleLock {
  private lastActivity: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(
    private timeoutMs: number,
    private readonly onIdle: () => void,
    private readonly now: () => number = Date.now,
  ) {
    this.lastActivity = now();
  }

  /** Start watching (after unlock). */
  start(): void {
    this.running = true;
    this.lastActivity = this.now();
    this.schedule();
  }

  /** Stop watching (after lock). */
  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  activity(at: number = this.now()): void {
    if (at > this.lastActivity) this.lastActivity = at;
  }

  /** The system reports how long the user has been idle (Electron's powerMonitor). */
  systemIdleFor(idleMs: number): void {
    this.activity(this.now() - idleMs);
  }

  setTimeout(timeoutMs: number): void {
    this.timeoutMs = timeoutMs;
    if (this.running) this.schedule();
  }

  get timeout(): number {
    return this.timeoutMs;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    if (!this.running) return;
    const remaining = this.lastActivity + this.timeoutMs - this.now();
    if (remaining <= 0) {
      this.running = false;
      this.timer = undefined;
      this.onIdle();
      return;
    }
    // Re-check at most every 5 s so that activity pushes the deadline without resetting timers.
    this.timer = setTimeout(() => this.schedule(), Math.min(remaining, 5_000));
    this.timer.unref?.();
  }
}
