import { useMutation, useQuery, useQueryClient, type UseQueryOptions } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { EventName, EventPayload, MethodInput, MethodName, MethodOutput } from '../../shared/rpc/contract';
import type { RpcError } from '../../shared/rpc/errors';
import { useRpcClient } from './RpcProvider';

export function rpcQueryKey<M extends MethodName>(method: M, input: MethodInput<M>): readonly unknown[] {
  return ['rpc', method, input];
}

/** Read through the core, cached by method and input. */
export function useRpcQuery<M extends MethodName>(
  method: M,
  input: MethodInput<M>,
  options: Omit<UseQueryOptions<MethodOutput<M>, RpcError>, 'queryKey' | 'queryFn'> = {},
) {
  const client = useRpcClient();
  return useQuery<MethodOutput<M>, RpcError>({
    queryKey: rpcQueryKey(method, input),
    queryFn: ({ signal }) => client.call(method, input, { signal }),
    ...options,
  });
}

/** Change something through the core; the result replaces `updates`' cached query when given. */
export function useRpcMutation<M extends MethodName>(method: M, options: { updates?: MethodName } = {}) {
  const client = useRpcClient();
  const queryClient = useQueryClient();
  return useMutation<MethodOutput<M>, RpcError, MethodInput<M>>({
    mutationFn: (input) => client.call(method, input),
    onSuccess: (output) => {
      if (options.updates) queryClient.setQueryData(rpcQueryKey(options.updates, {} as never), output);
    },
  });
}

/** Run `listener` for each core event of this name while the component is mounted. */
export function useRpcEvent<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): void {
  const client = useRpcClient();
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => client.subscribe(event, (payload) => latest.current(payload)), [client, event]);
}
