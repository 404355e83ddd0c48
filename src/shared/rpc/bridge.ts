/**
 * What the Electron preload exposes on `window.continuum`: a message bridge to the core and
 * nothing else. The renderer wraps it in an RpcClient.
 */
export interface ContinuumBridge {
  rpc: {
    send(message: unknown): void;
    onMessage(listener: (message: unknown) => void): () => void;
    onClose(listener: () => void): () => void;
  };
}
