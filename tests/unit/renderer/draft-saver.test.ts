import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DraftSaver, type SaveState } from '../../../src/renderer/notes/draft-saver';

/**
 * The note editor's autosave: what reaches `notes.saveDraft`, when, and in what order. A fake
 * save stands in for the RPC (it records calls and is resolved by hand); timers are fake so the
 * test reads what happens at each moment instead of waiting.
 */
interface Call {
  content: string;
  baseRevision: number;
  resolve: (revision: number, keptBeside?: true) => void;
  reject: (code: string) => void;
}

function harness(options: { debounceMs?: number; maxWaitMs?: number; terminal?: string[] } = {}) {
  const calls: Call[] = [];
  const states: SaveState[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const saver = new DraftSaver<string>({
    noteId: 'note-1',
    revision: 3,
    debounceMs: options.debounceMs ?? 600,
    maxWaitMs: options.maxWaitMs ?? 1_000,
    retryMs: 5_000,
    terminalCodes: options.terminal ?? ['NOTE_LOCKED'],
    onState: (state) => states.push(state),
    save: ({ content, baseRevision }) =>
      new Promise((resolve, reject) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        calls.push({
          content,
          baseRevision,
          resolve: (revision, keptBeside) => {
            inFlight -= 1;
            resolve({ draftRevision: revision, savedAt: '2026-03-02T10:42:00.000Z', keptBeside });
          },
          reject: (code) => {
            inFlight -= 1;
            reject(Object.assign(new Error('refused'), { code }));
          },
        });
      }),
  });
  return { saver, calls, states, maxInFlight: () => maxInFlight };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('draft autosave', () => {
  it('saves the newest text once, within the debounce after the last change, from the revision it was opened at', async () => {
    const { saver, calls, states } = harness();
    saver.update('a');
    saver.update('ab');
    saver.update('abc');
    expect(saver.state).toEqual({ kind: 'saving' });
    await vi.advanceTimersByTimeAsync(599);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((call) => [call.content, call.baseRevision])).toEqual([['abc', 3]]);
    calls[0]?.resolve(4);
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.state).toEqual({ kind: 'saved', at: '2026-03-02T10:42:00.000Z' });
    expect(saver.dirty).toBe(false);
    expect(states.at(-1)).toEqual({ kind: 'saved', at: '2026-03-02T10:42:00.000Z' });
  });

  it('keeps saving at least every second while the clinician types without a pause', async () => {
    const { saver, calls } = harness();
    let text = '';
    for (let i = 0; i < 25; i += 1) {
      text += 'x';
      saver.update(text);
      await vi.advanceTimersByTimeAsync(100);
      calls.at(-1)?.resolve(10 + calls.length);
    }
    // 2.5 s of typing at 10 keys a second: a save started within every second.
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls[0]?.content.length).toBeLessThanOrEqual(11);
  });

  it('never has two saves in flight: edits made during a save wait, and only the newest is sent next', async () => {
    const { saver, calls, maxInFlight } = harness();
    saver.update('one');
    await vi.advanceTimersByTimeAsync(600);
    expect(calls).toHaveLength(1);
    // Typing goes on while the save is out.
    saver.update('one two');
    saver.update('one two three');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls).toHaveLength(1);
    calls[0]?.resolve(4);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((call) => [call.content, call.baseRevision])).toEqual([
      ['one', 3],
      ['one two three', 4],
    ]);
    calls[1]?.resolve(5);
    await vi.advanceTimersByTimeAsync(0);
    expect(maxInFlight()).toBe(1);
    expect(saver.revision).toBe(5);
    expect(saver.state.kind).toBe('saved');
  });

  it('flush sends at once (before a lock, on blur or leaving) and resolves when the text is saved', async () => {
    const { saver, calls } = harness();
    saver.update('before the lock');
    const flushed = saver.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((call) => call.content)).toEqual(['before the lock']);
    calls[0]?.resolve(4);
    await expect(flushed).resolves.toBe(true);
    // Nothing new: flushing again sends nothing.
    await expect(saver.flush()).resolves.toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('a failed save keeps the text, says why, and tries again by itself; Retry sends it at once', async () => {
    const { saver, calls } = harness();
    saver.update('kept');
    const flushed = saver.flush();
    await vi.advanceTimersByTimeAsync(0);
    calls[0]?.reject('DISK_FULL');
    await expect(flushed).resolves.toBe(false);
    expect(saver.state).toEqual({ kind: 'failed', code: 'DISK_FULL' });
    expect(saver.dirty).toBe(true);

    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls.map((call) => call.content)).toEqual(['kept', 'kept']);
    calls[1]?.reject('DISK_FULL');
    await vi.advanceTimersByTimeAsync(0);

    const retried = saver.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((call) => call.content)).toEqual(['kept', 'kept', 'kept']);
    calls[2]?.resolve(4);
    await expect(retried).resolves.toBe(true);
    expect(saver.state.kind).toBe('saved');
    expect(saver.dirty).toBe(false);
  });

  it('newer typing supersedes text whose save failed', async () => {
    const { saver, calls } = harness();
    saver.update('first');
    await vi.advanceTimersByTimeAsync(600);
    saver.update('first and second');
    calls[0]?.reject('INTERNAL');
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(600);
    expect(calls.map((call) => call.content)).toEqual(['first', 'first and second']);
  });

  it('does not retry by itself after a refusal that retrying cannot fix (the note was signed)', async () => {
    const { saver, calls } = harness();
    saver.update('late text');
    await vi.advanceTimersByTimeAsync(600);
    calls[0]?.reject('NOTE_LOCKED');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(1);
    expect(saver.state).toEqual({ kind: 'failed', code: 'NOTE_LOCKED' });
  });

  it('takes a newer stored revision as its base only when nothing typed is waiting', async () => {
    const { saver, calls } = harness();
    expect(saver.rebase(2)).toBe(false);
    saver.update('typed');
    expect(saver.rebase(5)).toBe(false);
    await vi.advanceTimersByTimeAsync(600);
    expect(saver.rebase(5)).toBe(false);
    calls[0]!.resolve(4);
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.rebase(5)).toBe(true);
    saver.update('after the newer revision');
    await vi.advanceTimersByTimeAsync(600);
    expect(calls[1]!.baseRevision).toBe(5);
  });

  it('a save kept beside a newer draft keeps its old base for every later save, and says so', async () => {
    const { saver, calls, states } = harness();
    saver.update('typed on an older revision');
    await vi.advanceTimersByTimeAsync(600);
    calls[0]!.resolve(3, true);
    await vi.advanceTimersByTimeAsync(0);
    expect(states.at(-1)).toEqual({ kind: 'keptBeside', at: '2026-03-02T10:42:00.000Z' });
    expect(saver.rebase(9)).toBe(false);
    saver.update('more typing');
    await vi.advanceTimersByTimeAsync(600);
    expect(calls[1]).toMatchObject({ content: 'more typing', baseRevision: 3 });
    calls[1]!.resolve(3, true);
    await expect(saver.flush()).resolves.toBe(true);
    expect(saver.state.kind).toBe('keptBeside');
  });
});
