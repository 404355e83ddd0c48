/**
 * The few host APIs that src/shared may use: present in browsers, Node and Electron alike.
 * Anything not declared here (fs, process, window, document…) is a type error in src/shared.
 */
declare function setTimeout(callback: () => void, ms?: number): unknown;
declare function clearTimeout(handle: unknown): void;

interface AbortSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
