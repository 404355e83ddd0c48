import type { ContinuumBridge } from '../../shared/rpc/bridge';
import type { ClientMessage, RpcPort } from '../../shared/rpc/wire';

declare global {
  interface Window {
    continuum?: ContinuumBridge;
  }
}

const TOKEN_KEY = 'continuum.harness.token';

/**
 * How this page reaches the core: through the Electron preload's bridge when it exists,
 * otherwise (the browser harness) over the loopback WebSocket, with the token from the URL.
 */
export function connectToCore(): RpcPort<unknown, ClientMessage> {
  const bridge = window.continuum;
  if (bridge) {
    return {
      send: (message) => bridge.rpc.send(message),
      onMessage: (listener) => bridge.rpc.onMessage(listener),
      onClose: (listener) => bridge.rpc.onClose(listener),
    };
  }
  return websocketPort(harnessToken());
}

/** Take the token out of the address bar (so it is not shared by accident) and keep it for reloads. */
function harnessToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

function websocketPort(token: string): RpcPort<unknown, ClientMessage> {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${window.location.host}/rpc?token=${encodeURIComponent(token)}`);
  const queue: string[] = [];
  socket.addEventListener('open', () => {
    for (const text of queue.splice(0)) socket.send(text);
  });
  return {
    send(message) {
      const text = JSON.stringify(message);
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
      else if (socket.readyState === WebSocket.CONNECTING) queue.push(text);
      else throw new Error('socket closed');
    },
    onMessage(listener) {
      const handler = (event: MessageEvent): void => {
        if (typeof event.data !== 'string') return;
        try {
          listener(JSON.parse(event.data));
        } catch {
          // Not JSON: ignore.
        }
      };
      socket.addEventListener('message', handler);
      return () => socket.removeEventListener('message', handler);
    },
    onClose(listener) {
      socket.addEventListener('close', listener);
      return () => socket.removeEventListener('close', listener);
    },
    close: () => socket.close(),
  };
}
