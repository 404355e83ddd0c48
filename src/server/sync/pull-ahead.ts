import type { NoteContentFormat } from './pull.js';

/**
 * Reading pull pages ahead of the workstation (a long pull: the initial sync, a full resync, a
 * big backlog).
 *
 * A workstation asks for the next page only when the previous answer has arrived (the cursor is
 * in it), and then spends most of its time writing pages into its encrypted cache; meanwhile
 * the server, which could be preparing the following pages, waits. When a page it answers has
 * more after it, the server reads the next pages (up to `depth`) in the background, so that the
 * requests that follow find them ready.
 *
 * A page read ahead is used only if nothing it depends on has changed: the same user, device,
 * replica, page size, starting point, clients in scope and newest assignment or supervision
 * change (who may see what), and the same feed high-water mark — every write to a record (a
 * note's sharing and protection included) adds a `changes` row in its transaction, so an
 * unchanged mark means the page is exactly what reading it now would return. Anything else
 * reads the page afresh. (A new input to the pull's visibility rules that can change without a
 * feed row or an assignment change must be added to the key.)
 * Everything else about a pull (replica ownership, scope growth, purges, the audit entry) is
 * done at the request as before; only the page's text comes from here. Pages are held in memory
 * for a short time (`ttlMs`), for a bounded number of chains (one per replica).
 */

/** What a page read depends on besides the feed's high-water mark. */
export interface PageBasis {
  userId: string;
  deviceId: string;
  replicaId: string;
  afterSeq: number;
  limit: number;
  /** The protocol's form of note content the pages were read in. */
  noteContent: NoteContentFormat;
  scopeIds: readonly string[];
  /** The newest assignment or supervision change of the caller (the cursor's watermark). */
  assignmentsUs: number;
}

/** What the pull needs of a page it read: whether there is more, and where the next one starts. */
export interface AheadPage {
  /** Feed rows read: more than the limit means there is a next page. */
  read: number;
  /** The last feed row of the page (a bigint, as text); the next page starts after it. */
  lastSeq: string | null;
}

export interface PullAheadOptions {
  /** Pages read ahead of the last one answered (0: none). */
  depth: number;
  /** A page not asked for within this time is dropped. */
  ttlMs: number;
  /** Chains (replicas) held at once; the least recently used goes first. */
  maxChains: number;
  /**
   * Reading ahead starts only after this long without a pull request to this server: on PGlite
   * (one connection) a page being read ahead makes every request wait until it is done, so it
   * is read while the workstation writes, not between its requests.
   */
  quietMs: number;
  now?: () => number;
}

export const DEFAULT_PULL_AHEAD: PullAheadOptions = { depth: 3, ttlMs: 30_000, maxChains: 8, quietMs: 100 };

interface Chain<P extends AheadPage> {
  /** User, device, replica, page size and scope: pages of one chain differ only by start. */
  key: string;
  headSeq: number;
  pages: Map<number, Promise<P>>;
  usedAt: number;
  /** Calls off reading ahead that is waiting for quiet. */
  cancel: (() => void) | null;
}

export class PullAhead<P extends AheadPage> {
  private readonly chains = new Map<string, Chain<P>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly now: () => number;
  private closed = false;
  /** When this server last received a pull request (any replica). */
  private lastRequestAt = Number.NEGATIVE_INFINITY;
  /** Pages served from what was read ahead, and requests that found nothing usable. */
  readonly stats = { hits: 0, misses: 0 };

  constructor(private readonly options: PullAheadOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The page for `basis` if it was read ahead and the feed has not moved since (`headSeq`);
   * otherwise null (and whatever was held for this replica is dropped).
   */
  take(basis: PageBasis, headSeq: number): Promise<P> | null {
    this.lastRequestAt = this.now();
    this.expire();
    const chain = this.chains.get(basis.replicaId);
    if (!chain || chain.key !== chainKey(basis) || chain.headSeq !== headSeq) {
      if (chain) this.drop(basis.replicaId);
      this.stats.misses += 1;
      return null;
    }
    const page = chain.pages.get(basis.afterSeq) ?? null;
    // Pages before this one will not be asked for again (a repeated request reads afresh).
    for (const seq of chain.pages.keys()) if (seq <= basis.afterSeq) chain.pages.delete(seq);
    chain.usedAt = this.now();
    if (page) this.stats.hits += 1;
    else {
      // The request reads this page itself: reading ahead that has not started would read it
      // again (the answer's own `ahead` call starts the next wait).
      chain.cancel?.();
      this.stats.misses += 1;
    }
    return page;
  }

  /**
   * After answering the page at `basis` (which has more after it, starting after `nextSeq`):
   * read the next `depth` pages with `read`, one after the other, in the background.
   */
  ahead(basis: PageBasis, headSeq: number, nextSeq: number, read: (afterSeq: number) => Promise<P>): void {
    if (this.closed || this.options.depth <= 0) return;
    this.expire();
    const key = chainKey(basis);
    let chain = this.chains.get(basis.replicaId);
    if (!chain || chain.key !== key || chain.headSeq !== headSeq) {
      this.drop(basis.replicaId);
      chain = { key, headSeq, pages: new Map(), usedAt: this.now(), cancel: null };
      this.chains.set(basis.replicaId, chain);
      while (this.chains.size > this.options.maxChains) {
        const oldest = this.chains.keys().next().value;
        if (oldest === undefined) break;
        this.drop(oldest);
      }
    }
    const current = chain;
    const fill = async (afterSeq: number, remaining: number): Promise<void> => {
      if (remaining <= 0 || this.closed || this.chains.get(basis.replicaId) !== current) return;
      let page = current.pages.get(afterSeq);
      if (!page) {
        page = read(afterSeq);
        current.pages.set(afterSeq, page);
        this.track(page);
      }
      let result: P;
      try {
        result = await page;
      } catch {
        current.pages.delete(afterSeq);
        return;
      }
      if (result.read > basis.limit && result.lastSeq !== null) await fill(Number(result.lastSeq), remaining - 1);
    };
    // Start once no request has come for `quietMs` (the workstation is writing), not at once.
    current.cancel?.();
    this.track(
      new Promise<void>((resolve) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        current.cancel = () => {
          clearTimeout(timer);
          current.cancel = null;
          resolve();
        };
        const arm = (ms: number) => {
          timer = setTimeout(() => {
            const quietFor = this.now() - this.lastRequestAt;
            if (quietFor < this.options.quietMs) return arm(this.options.quietMs - quietFor);
            current.cancel = null;
            resolve();
            this.track(fill(nextSeq, this.options.depth));
          }, ms);
          timer.unref?.();
        };
        arm(this.options.quietMs);
      }),
    );
  }

  /** Resolves when no page is being read ahead (tests; shutting down). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stop reading ahead, drop what is held, and wait for reads under way. */
  async close(): Promise<void> {
    this.closed = true;
    for (const replicaId of [...this.chains.keys()]) this.drop(replicaId);
    await this.settled();
  }

  private drop(replicaId: string): void {
    this.chains.get(replicaId)?.cancel?.();
    this.chains.delete(replicaId);
  }

  private track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
  }

  private expire(): void {
    const cutoff = this.now() - this.options.ttlMs;
    for (const [replicaId, chain] of this.chains) if (chain.usedAt < cutoff) this.drop(replicaId);
  }
}

const chainKey = (basis: PageBasis): string =>
  JSON.stringify([
    basis.userId,
    basis.deviceId,
    basis.replicaId,
    basis.limit,
    basis.noteContent,
    basis.assignmentsUs,
    basis.scopeIds,
  ]);
