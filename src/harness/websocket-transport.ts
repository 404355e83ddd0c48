import type { WebSocket } from 'ws';
import type { CoreMessage, RpcPort } from '../shared/rpc/wire';

/** Adapts one harness WebSocket connection to the core's RPC port. Text frames of JSON only. */
export function websocketTransport(socket: WebSocket): RpcPort<unknown, CoreMessage> {
  return {
    send(message) {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    },
    onMessage(listener) {
      const handler = (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void => {
        if (isBinary) {
          socket.close(1003, 'text frames only');
          return;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
        } catch {
          socket.close(1007, 'not JSON');
          return;
        }
        listener(parsed);
      };
      socket.on('message', handler);
      return () => socket.off('message', handler);
    },
    onClose(listener) {
      socket.on('close', listener);
      return () => socket.off('close', listener);
    },
    close: () => socket.close(1000),
  };
}
