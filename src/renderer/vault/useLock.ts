import { useCallback } from 'react';
import { useRpcClient } from '../rpc/RpcProvider';
import { flushAll } from './flush-registry';

/** Lock now: save whatever is typed, then ask the core to lock (it closes the cache). */
export function useLock(): () => Promise<void> {
  const client = useRpcClient();
  return useCallback(async () => {
    await flushAll();
    await client.call('vault.lock', {});
  }, [client]);
}
