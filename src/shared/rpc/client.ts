import type { z } from 'zod';
import {
  DEFAULT_TIMEOUT_MS,
  events,
  isEventName,
  isMethodName,
  methods,
  type EventName,
  type EventPayload,
  type MethodInput,
  type MethodName,
  type MethodOutput,
} from './contract';
import { RpcError } from './errors';
import { coreMessage, type ClientMessage, type CoreMessage, type RpcPort } from './wire';

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

interface Pending {
  method: MethodName;
  resolve: (value: unknown) => void;
  reject: (error: RpcError) => void;
  cleanup: () => void;
}

type Listener = (payload: unknown) => void;

/**
 * The caller's end of the RPC contract. Transport-agnostic: give it any port that carries
 * wire messages. Inputs are checked before they leave, results and events when they arrive,
 * so a mismatch between renderer and core fails loudly as BAD_REQUEST / INTERNAL instead of
 * flowing on as wrong data.
 */
export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<EventName, Set<Listener>>();
  private closed = false;
  private readonly closeListeners = new Set<() => void>();
  private readonly detach: Array<() => void> = [];

  constructor(private readonly port: RpcPort<unknown, ClientMessage>) {
    this.detach.push(port.onMessage((raw) => this.receive(raw)));
    if (port.onClose) this.detach.push(port.onClose(() => this.handleClose()));
  }

  call<M extends MethodName>(method: M, params: MethodInput<M>, options: CallOptions = {}): Promise<MethodOutput<M>> {
    if (this.closed) {
      return Promise.reject(new RpcError('UNAVAILABLE', 'The workstation core is not connected.'));
    }
    if (!isMethodName(method)) {
      return Promise.reject(new RpcError('UNKNOWN_METHOD', `There is no method called ${String(method)}.`));
    }
    const definition = methods[method];
    const checked = definition.input.safeParse(params);
    if (!checked.success) {
      return Promise.reject(new RpcError('BAD_REQUEST', describeIssues(checked.error)));
    }
    if (options.signal?.aborted) {
      return Promise.reject(new RpcError('CANCELLED', 'The request was cancelled.'));
    }

    const id = this.nextId++;
    return new Promise<MethodOutput<M>>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? definition.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const timer = setTimeout(() => {
        this.settle(id)?.reject(new RpcError('TIMEOUT', `${method} did not answer in time.`));
        this.sendQuietly({ type: 'cancel', id });
      }, timeoutMs);
      const onAbort = (): void => {
        this.settle(id)?.reject(new RpcError('CANCELLED', 'The request was cancelled.'));
        this.sendQuietly({ type: 'cancel', id });
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });

      this.pending.set(id, {
        method,
        resolve: resolve as (value: unknown) => void,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
        },
      });
      try {
        this.port.send({ type: 'request', id, method, params: checked.data });
      } catch {
        this.settle(id)?.reject(new RpcError('UNAVAILABLE', 'The workstation core is not connected.'));
      }
    });
  }

  /** Listen to an event; the core only sends events somebody subscribed to. */
  subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
      this.sendQuietly({ type: 'subscribe', event });
    }
    const wrapped = listener as Listener;
    set.add(wrapped);
    return () => {
      const current = this.listeners.get(event);
      if (!current?.delete(wrapped) || current.size > 0) return;
      this.listeners.delete(event);
      this.sendQuietly({ type: 'unsubscribe', event });
    };
  }

  /** False once the connection to the core is gone (it does not come back: reload). */
  get isConnected(): boolean {
    return !this.closed;
  }

  /** Be told when the connection to the core is lost; fires at once if it already is. */
  onDisconnect(listener: () => void): () => void {
    if (this.closed) {
      listener();
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Stop using the port; pending calls fail with UNAVAILABLE. */
  close(): void {
    for (const undo of this.detach.splice(0)) undo();
    this.port.close?.();
    this.handleClose();
  }

  private receive(raw: unknown): void {
    const parsed = coreMessage.safeParse(raw);
    if (!parsed.success) return; // Not ours or malformed: nothing to settle.
    const message: CoreMessage = parsed.data;
    if (message.type === 'event') {
      this.deliverEvent(message.event, message.payload);
      return;
    }
    const pending = this.settle(message.id);
    if (!pending) return; // Cancelled or timed out already.
    if (!message.ok) {
      pending.reject(new RpcError(message.error.code, message.error.message, message.error.ref));
      return;
    }
    const output = methods[pending.method].output.safeParse(message.result);
    if (output.success) pending.resolve(output.data);
    else pending.reject(new RpcError('INTERNAL', `The core answered ${pending.method} with an unexpected shape.`));
  }

  private deliverEvent(name: string, payload: unknown): void {
    if (!isEventName(name)) return;
    const set = this.listeners.get(name);
    if (!set) return;
    const parsed = events[name].safeParse(payload);
    if (!parsed.success) return;
    for (const listener of [...set]) listener(parsed.data);
  }

  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    if (!pending) return undefined;
    this.pending.delete(id);
    pending.cleanup();
    return pending;
  }

  private sendQuietly(message: ClientMessage): void {
    if (this.closed) return;
    try {
      this.port.send(message);
    } catch {
      // The port is gone; pending calls are failed by handleClose.
    }
  }

  private handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of [...this.closeListeners]) listener();
    this.closeListeners.clear();
    for (const id of [...this.pending.keys()]) {
      this.settle(id)?.reject(new RpcError('UNAVAILABLE', 'The connection to the workstation core was lost.'));
    }
  }
}

/** A short, PHI-free description of why input failed validation: field paths and rules only. */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : 'input';
    return `${path}: ${issue.message}`;
  });
  return `Invalid request (${parts.join('; ')}).`;
}
