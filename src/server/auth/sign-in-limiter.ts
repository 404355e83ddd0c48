/**
 * Counts failed sign-ins per (username, address) in a fixed window; once the limit is reached
 * every attempt gets 429 with Retry-After until the window ends. A success clears the count.
 * In memory, per instance (the per-address limit on /auth bounds the rest).
 */
export class SignInLimiter {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds to wait, or 0 when an attempt is allowed. */
  retryAfterSeconds(key: string, now: number): number {
    const entry = this.failures.get(key);
    if (!entry) return 0;
    if (entry.resetAt <= now) {
      this.failures.delete(key);
      return 0;
    }
    return entry.count >= this.maxFailures ? Math.max(1, Math.ceil((entry.resetAt - now) / 1000)) : 0;
  }

  recordFailure(key: string, now: number): void {
    const entry = this.failures.get(key);
    if (!entry || entry.resetAt <= now) {
      this.failures.set(key, { count: 1, resetAt: now + this.windowMs });
      this.prune(now);
    } else {
      entry.count += 1;
    }
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private prune(now: number): void {
    if (this.failures.size < 10_000) return;
    for (const [key, entry] of this.failures) if (entry.resetAt <= now) this.failures.delete(key);
  }
}
