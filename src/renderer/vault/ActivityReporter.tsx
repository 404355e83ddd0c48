import { useEffect } from 'react';
import { useRpcClient } from '../rpc/RpcProvider';
import { useRpcEvent } from '../rpc/hooks';
import { flushAll } from './flush-registry';

const REPORT_EVERY_MS = 15_000;
const EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;

/**
 * Tells the core the clinician is active in this window (at most every 15 s), so that the
 * automatic lock measures real inactivity; and flushes unsaved text when the core announces
 * that it is about to lock.
 */
export function ActivityReporter() {
  const client = useRpcClient();

  useEffect(() => {
    let last = 0;
    const report = (): void => {
      const now = Date.now();
      if (now - last < REPORT_EVERY_MS) return;
      last = now;
      client.call('session.activity', {}).catch(() => undefined);
    };
    for (const name of EVENTS) window.addEventListener(name, report, { passive: true, capture: true });
    return () => {
      for (const name of EVENTS) window.removeEventListener(name, report, { capture: true });
    };
  }, [client]);

  useRpcEvent('vault.locking', () => {
    void flushAll();
  });

  return null;
}
