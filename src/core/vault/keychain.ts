import keytar from 'keytar';

export type KeychainStatus = 'available' | 'unavailable';

/**
 * The OS keychain as the vault sees it (macOS Keychain, Windows Credential Manager, a Linux
 * Secret Service such as gnome-keyring). The real adapter is keytar; tests may substitute an
 * adapter only to simulate a machine without any keychain.
 */
export interface KeychainAdapter {
  /** Can this session store and read back a secret right now? */
  probe(service: string): Promise<KeychainStatus>;
  /** The secret, or null when there is no such entry. Throws when the keychain cannot be reached. */
  get(service: string, account: string): Promise<string | null>;
  set(service: string, account: string, secret: string): Promise<void>;
  delete(service: string, account: string): Promise<boolean>;
}

const PROBE_TIMEOUT_MS = 5000;

export function keytarKeychain(): KeychainAdapter {
  return {
    async probe(service) {
      const account = `probe-${process.pid}-${Date.now()}`;
      const value = `probe-${Math.random().toString(36).slice(2)}`;
      try {
        return await withTimeout(
          (async (): Promise<KeychainStatus> => {
            await keytar.setPassword(service, account, value);
            const read = await keytar.getPassword(service, account);
            await keytar.deletePassword(service, account);
            // Without a Secret Service some setups "succeed" silently and read back null.
            return read === value ? 'available' : 'unavailable';
          })(),
        );
      } catch {
        return 'unavailable';
      }
    },
    get: (service, account) => withTimeout(keytar.getPassword(service, account)),
    set: (service, account, secret) => withTimeout(keytar.setPassword(service, account, secret)),
    delete: (service, account) => withTimeout(keytar.deletePassword(service, account)),
  };
}

/** A machine without any keychain: the vault falls back to passphrase-only protection. */
export function unavailableKeychain(): KeychainAdapter {
  const fail = (): Promise<never> => Promise.reject(new Error('no keychain on this machine'));
  return {
    probe: () => Promise.resolve('unavailable'),
    get: fail,
    set: fail,
    delete: fail,
  };
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('keychain did not answer')), PROBE_TIMEOUT_MS);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
