/**
 * Autosave of one draft: "never lose a keystroke".
 *
 * - `update(content)` records the newest content and (re)starts a short debounce; the save
 *   starts at most `debounceMs` after the last change, and while the clinician keeps typing
 *   without a pause, at most `maxWaitMs` after the first unsaved change (a crash loses at most
 *   about a second).
 * - One request in flight at a time. Edits made meanwhile are queued as the newest content only
 *   (older queued content is superseded, never sent); when the request returns, the newest is
 *   sent next. Typing is never blocked by a save.
 * - `flush()` sends whatever is queued now (blur, navigation, before a lock, page hide) and
 *   resolves `true` once everything typed so far is saved, `false` if a save failed.
 * - A save the core kept beside a newer draft (another device's version arrived while the editor
 *   was open) keeps the old base revision, so every later save from this editor lands beside it
 *   too; the state says so until the editor makes way for the merge screen.
 * - `rebase(revision)` takes a newer stored revision as the base (the editor showed it) when
 *   nothing typed is waiting.
 * - A failed save keeps the content queued; it is tried again on the next change, on `flush()`
 *   (the Retry button), and by itself after `retryMs`, except after a refusal that cannot
 *   change by trying again (the note was signed meanwhile: `terminalCodes`).
 *
 * Pure TypeScript (timers only), so it is unit-tested without a browser.
 */
export type SaveState =
  /** Everything typed is saved; `at` is when the last save landed (null: nothing saved in this session). */
  | { kind: 'saved'; at: string | null }
  /** Changes are waiting for the debounce or a save is in flight. */
  | { kind: 'saving' }
  /** The last save failed with this error code; the content is kept and tried again. */
  | { kind: 'failed'; code: string }
  /** Saved beside a newer version of the draft (a conflict to merge); `at` is when. */
  | { kind: 'keptBeside'; at: string };

export interface SaveResult {
  draftRevision: number;
  savedAt: string;
  keptBeside?: true | undefined;
}

export interface DraftSaverOptions<T> {
  noteId: string;
  /** The `draftRevision` the editor was opened at. */
  revision: number;
  save: (input: { noteId: string; content: T; baseRevision: number }) => Promise<SaveResult>;
  onState?: (state: SaveState) => void;
  debounceMs?: number;
  maxWaitMs?: number;
  retryMs?: number;
  terminalCodes?: readonly string[];
}

export const DEFAULT_DEBOUNCE_MS = 600;
export const DEFAULT_MAX_WAIT_MS = 1_000;
const DEFAULT_RETRY_MS = 5_000;

function codeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string')
    return error.code;
  return 'INTERNAL';
}

export class DraftSaver<T> {
  private queued: { content: T } | null = null;
  private inFlight: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the oldest change not yet handed to a save was made. */
  private pendingSince: number | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private revisionValue: number;
  private stateValue: SaveState = { kind: 'saved', at: null };
  private lastSavedAt: string | null = null;
  private failedCode: string | null = null;
  private disposed = false;
  /** A save was kept beside a newer draft: this editor's text is one side of a conflict now. */
  private keptBeside = false;

  constructor(private readonly options: DraftSaverOptions<T>) {
    this.revisionValue = options.revision;
  }

  get state(): SaveState {
    return this.stateValue;
  }

  /** The revision of the last save (what the next save sends as its base). */
  get revision(): number {
    return this.revisionValue;
  }

  /**
   * A newer revision is shown in the editor (another device's edit, pulled): later saves are
   * based on it. Refused (false) while anything typed is waiting or was kept beside.
   */
  rebase(revision: number): boolean {
    if (this.dirty || this.keptBeside || revision <= this.revisionValue) return false;
    this.revisionValue = revision;
    return true;
  }

  /** Something typed is not saved yet (queued, in flight or failed). */
  get dirty(): boolean {
    return this.queued !== null || this.inFlight !== null;
  }

  update(content: T): void {
    if (this.disposed) return;
    this.queued = { content };
    if (this.stateValue.kind !== 'failed' || this.inFlight) this.setState({ kind: 'saving' });
    const now = Date.now();
    this.pendingSince ??= now;
    const untilMaxWait = this.pendingSince + (this.options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS) - now;
    this.clearTimer();
    this.timer = setTimeout(
      () => {
        this.timer = null;
        void this.drain();
      },
      Math.max(0, Math.min(this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS, untilMaxWait)),
    );
  }

  /** Save what is queued now; resolves `true` when everything typed so far is saved. */
  flush(): Promise<boolean> {
    this.clearTimer();
    return this.drain();
  }

  /** Stop the timers (the editor is closing; call `flush()` first). Later updates are ignored. */
  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private setState(state: SaveState): void {
    this.stateValue = state;
    this.options.onState?.(state);
  }

  private async drain(): Promise<boolean> {
    for (;;) {
      if (this.inFlight) {
        await this.inFlight;
        continue;
      }
      if (!this.queued) return this.failedCode === null;
      const { content } = this.queued;
      this.queued = null;
      this.pendingSince = null;
      this.inFlight = this.send(content).finally(() => {
        this.inFlight = null;
      });
      await this.inFlight;
      if (this.failedCode !== null) return false;
    }
  }

  private async send(content: T): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.setState({ kind: 'saving' });
    try {
      const result = await this.options.save({
        noteId: this.options.noteId,
        content,
        baseRevision: this.revisionValue,
      });
      this.lastSavedAt = result.savedAt;
      this.failedCode = null;
      if (result.keptBeside) {
        this.keptBeside = true;
      } else {
        this.revisionValue = result.draftRevision;
      }
      if (!this.queued)
        this.setState(
          this.keptBeside ? { kind: 'keptBeside', at: this.lastSavedAt } : { kind: 'saved', at: this.lastSavedAt },
        );
    } catch (error) {
      // Keep the text: newer content queued meanwhile supersedes it, otherwise it waits here.
      this.queued ??= { content };
      this.pendingSince ??= Date.now();
      this.failedCode = codeOf(error);
      this.setState({ kind: 'failed', code: this.failedCode });
      const terminal = (this.options.terminalCodes ?? []).includes(this.failedCode);
      if (!terminal && !this.disposed)
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          void this.drain();
        }, this.options.retryMs ?? DEFAULT_RETRY_MS);
    }
  }
}
