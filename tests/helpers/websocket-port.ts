import WebSocket from 'ws';
import type { ClientMessage, RpcPort } from '../../src/shared/rpc/wire';

/** What the browser does: open the harness socket, resolving on open, rejecting on refusal. */
export function openSocket(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => {
      socket.terminate();
      reject(new Error(`refused with HTTP ${response.statusCode ?? '?'}`));
    });
    socket.once('error', reject);
  });
}

/** The renderer's RPC port over a `ws` client socket: JSON text frames. */
export function websocketClientPort(socket: WebSocket): RpcPort<unknown, ClientMessage> {
  return {
    send: (message) => socket.send(JSON.stringify(message)),
    onMessage(listener) {
      const handler = (data: WebSocket.RawData): void => {
        listener(JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : String(data)) as unknown);
      };
      socket.on('message', handler);
      return () => {
        socket.off('message', handler);
      };
    },
    onClose(listener) {
      socket.on('close', listener);
      return () => {
        socket.off('close', listener);
      };
    },
    close: () => socket.close(),
  };
}

/** Resolve with the close code once the socket is closed. */
export function closed(socket: WebSocket, timeoutMs = 2_000): Promise<number> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve(-1);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket stayed open')), timeoutMs);
    socket.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
