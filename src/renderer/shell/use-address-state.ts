import { useRef } from 'react';
import { useSearchParams } from 'react-router';

/**
 * A page's view kept in the address's query (`?client=…&status=…`, so that a link or a reload
 * shows the same view), changed a patch at a time.
 *
 * The router commits a navigation as a React transition, so two changes made before it renders
 * again (a keyboard user, or a busy machine) would both build on the address as last rendered
 * and the second would undo the first. Here a change builds on the last one this page made while
 * the address is still one this page produced; an address from elsewhere (a link, going back)
 * is taken as it is.
 */
export function useAddressState<T extends object>(
  read: (params: URLSearchParams) => T,
  write: (state: T) => URLSearchParams,
): [T, (patch: Partial<T>) => void] {
  const [params, setParams] = useSearchParams();
  const state = read(params);
  const mine = useRef<{ state: T; addresses: Set<string> } | null>(null);
  const update = (patch: Partial<T>): void => {
    const address = params.toString();
    const pending = mine.current?.addresses.has(address) ? mine.current : null;
    const next = { ...(pending?.state ?? state), ...patch };
    const nextParams = write(next);
    const addresses = pending?.addresses ?? new Set([address]);
    addresses.add(nextParams.toString());
    mine.current = { state: next, addresses };
    setParams(nextParams, { replace: true });
  };
  return [state, update];
}
