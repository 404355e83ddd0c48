import type { ClientMessage, CoreMessage, RpcPort } from '../../shared/rpc/wire';

/**
 * The shape of Electron's MessagePortMain as the core's utility process receives it. Typed
 * here, structurally, so that the core never imports `electron`.
 */
export interface MessagePortMainLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  off(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
}

export function messagePortTransport(port: MessagePortMainLike): RpcPort<unknown, CoreMessage> {
  return {
    send: (message) => port.postMessage(message),
    onMessage(listener) {
      const handler = (event: { data: unknown }): void => listener(event.data as ClientMessage);
      port.on('message', handler);
      port.start();
      return () => port.off('message', handler);
    },
    onClose(listener) {
      port.on('close', listener);
      return () => port.off('close', listener);
    },
    close: () => port.close(),
  };
}
