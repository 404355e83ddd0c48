/**
 * `promise`, or `cancelled()` as soon as `signal` aborts: for work that cannot itself be
 * cancelled (a handler that ignores its signal, a page the pull worker is still preparing), so
 * that the caller stops waiting for it. The work itself goes on and its result is dropped.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, cancelled: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
