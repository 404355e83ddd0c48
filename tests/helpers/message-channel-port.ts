import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { ClientMessage, CoreMessage, RpcPort } from '../../src/shared/rpc/wire';

/** Adapts a real Node MessagePort (node:worker_threads) to the RPC port interface. */
export function nodeMessagePort<In, Out>(port: MessagePort): RpcPort<In, Out> {
  return {
    send: (message) => port.postMessage(message),
    onMessage(listener) {
      const handler = (data: unknown): void => listener(data as In);
      port.on('message', handler);
      return () => {
        port.off('message', handler);
      };
    },
    onClose(listener) {
      port.on('close', listener);
      return () => {
        port.off('close', listener);
      };
    },
    close: () => port.close(),
  };
}

export interface RpcChannel {
  /** The renderer's end, for an RpcClient. */
  clientPort: RpcPort<unknown, ClientMessage>;
  /** The core's end, for RpcDispatcher.connect. */
  corePort: RpcPort<unknown, CoreMessage>;
  /** The underlying ports, for sending raw (possibly invalid) messages. */
  clientSide: MessagePort;
  coreSide: MessagePort;
  close(): void;
}

export function createRpcChannel(): RpcChannel {
  const { port1, port2 } = new MessageChannel();
  return {
    clientPort: nodeMessagePort<unknown, ClientMessage>(port1),
    corePort: nodeMessagePort<unknown, CoreMessage>(port2),
    clientSide: port1,
    coreSide: port2,
    close: () => {
      port1.close();
      port2.close();
    },
  };
}

/**
 * Records every message that arrives on a port and lets a test wait for one. Used to speak
 * the wire protocol directly, without the RpcClient's own checks in the way.
 */
export class MessageRecorder {
  readonly messages: unknown[] = [];
  private waiters: Array<{ match: (message: unknown) => boolean; resolve: (message: unknown) => void }> = [];
  private readonly detach: () => void;

  constructor(port: MessagePort) {
    const handler = (message: unknown): void => {
      this.messages.push(message);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(message)) {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          waiter.resolve(message);
        }
      }
    };
    port.on('message', handler);
    this.detach = () => port.off('message', handler);
  }

  next(match: (message: unknown) => boolean, timeoutMs = 2_000): Promise<unknown> {
    const already = this.messages.find(match);
    if (already !== undefined) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching message arrived')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      });
    });
  }

  /** Wait for the response to request `id`. */
  response(id: number): Promise<unknown> {
    return this.next((m) => isObject(m) && m.type === 'response' && m.id === id);
  }

  events(): Array<Record<string, unknown>> {
    return this.messages.filter((m): m is Record<string, unknown> => isObject(m) && m.type === 'event');
  }

  stop(): void {
    this.detach();
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
