/**
 * The preload exposes exactly one thing to the page: a message bridge to the workstation core
 * (`window.continuum.rpc`). It holds the MessagePort main hands over and never gives the port
 * itself, `ipcRenderer`, or any Node API to the page. Messages sent before the port arrives
 * are queued. What travels is checked by the RPC layer on both ends, not here.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ContinuumBridge } from '../shared/rpc/bridge';

type Listener = (message: unknown) => void;

let port: MessagePort | undefined;
const queue: unknown[] = [];
const listeners = new Set<Listener>();
const closeListeners = new Set<() => void>();

ipcRenderer.on('core:port', (event) => {
  const received = event.ports[0];
  if (!received) return;
  port = received;
  port.onmessage = (message: MessageEvent) => {
    for (const listener of listeners) listener(message.data);
  };
  port.addEventListener('close', () => {
    port = undefined;
    for (const listener of closeListeners) listener();
  });
  port.start();
  for (const message of queue.splice(0)) port.postMessage(message);
});

const bridge: ContinuumBridge = {
  rpc: Object.freeze({
    send(message: unknown): void {
      if (port) port.postMessage(message);
      else queue.push(message);
    },
    onMessage(listener: Listener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onClose(listener: () => void): () => void {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
  }),
};

contextBridge.exposeInMainWorld('continuum', bridge);
