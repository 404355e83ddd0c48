/**
 * Anything holding text the clinician typed but the core has not saved yet (an editor between
 * keystroke and autosave) registers a flush here. Before the workstation locks (the Lock
 * button, or the core's `vault.locking` event before an idle lock) every flush runs first.
 */
type Flush = () => Promise<unknown> | unknown;

const flushes = new Set<Flush>();

export function registerFlush(flush: Flush): () => void {
  flushes.add(flush);
  return () => flushes.delete(flush);
}

export async function flushAll(): Promise<void> {
  await Promise.allSettled([...flushes].map(async (flush) => flush()));
}
