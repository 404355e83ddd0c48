import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { RpcClient } from '../../shared/rpc/client';
import { RpcError } from '../../shared/rpc/errors';
import { rpcQueryKey } from './hooks';

const RpcContext = createContext<RpcClient | null>(null);

/** Queries that hold no client data and survive a lock. */
const ALWAYS_CACHED = new Set(['vault.status', 'settings.get', 'sync.status', 'system.info', 'session.status']);
const ConnectionContext = createContext<boolean>(true);

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // The core is local: a failure is not a flaky network, retrying hides it.
        retry: (count, error) => error instanceof RpcError && error.code === 'TIMEOUT' && count < 2,
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  });
}

/**
 * Gives the tree the RPC client and keeps the query cache fresh from core events: an event
 * that carries the new state replaces the matching query's data.
 */
export function RpcProvider({
  client,
  queryClient,
  children,
}: {
  client: RpcClient;
  queryClient: QueryClient;
  children: ReactNode;
}) {
  const [connected, setConnected] = useState(() => client.isConnected);

  useEffect(() => client.onDisconnect(() => setConnected(false)), [client]);

  useEffect(() => {
    const undo = [
      client.subscribe('settings.changed', (preferences) =>
        queryClient.setQueryData(rpcQueryKey('settings.get', {}), preferences),
      ),
      client.subscribe('sync.statusChanged', (status) =>
        queryClient.setQueryData(rpcQueryKey('sync.status', {}), status),
      ),
      client.subscribe('session.changed', (status) =>
        queryClient.setQueryData(rpcQueryKey('session.status', {}), status),
      ),
      // New records from the server: re-read what shows them (the caseload, and open charts of
      // the clients concerned).
      client.subscribe('sync.dataChanged', ({ clientIds, all }) => {
        void queryClient.invalidateQueries({ queryKey: ['rpc', 'caseload.list'] });
        void queryClient.invalidateQueries({
          queryKey: ['rpc', 'client.overview'],
          predicate: (query) => {
            const input = query.queryKey[2] as { clientId?: string } | undefined;
            return all || (input?.clientId !== undefined && clientIds.includes(input.clientId));
          },
        });
      }),
      client.subscribe('vault.stateChanged', (status) => {
        queryClient.setQueryData(rpcQueryKey('vault.status', {}), status);
        // Locked: nothing read while unlocked may stay in memory.
        if (status.state !== 'unlocked') {
          queryClient.removeQueries({ predicate: (query) => !ALWAYS_CACHED.has(String(query.queryKey[1])) });
        }
      }),
    ];
    return () => undo.forEach((fn) => fn());
  }, [client, queryClient]);

  return (
    <RpcContext.Provider value={client}>
      <ConnectionContext.Provider value={connected}>
        <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
      </ConnectionContext.Provider>
    </RpcContext.Provider>
  );
}

export function useRpcClient(): RpcClient {
  const client = useContext(RpcContext);
  if (!client) throw new Error('useRpcClient outside RpcProvider');
  return client;
}

/** False once the connection to the core is lost. */
export function useCoreConnected(): boolean {
  return useContext(ConnectionContext);
}
