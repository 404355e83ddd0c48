import { randomBytes } from 'node:crypto';
import { untilAborted } from '../abort';
import { describeIssues } from '../../shared/rpc/client';
import {
  events,
  isEventName,
  isMethodName,
  methods,
  type EventName,
  type EventPayload,
  type MethodName,
  type MethodOutput,
} from '../../shared/rpc/contract';
import { RpcError, type RpcErrorShape } from '../../shared/rpc/errors';
import { clientMessage, type CoreMessage, type RpcPort } from '../../shared/rpc/wire';
import type { z } from 'zod';
import type { Logger } from '../logging/logger';

export interface RequestContext {
  /** Aborted when the caller cancels or disconnects. */
  signal: AbortSignal;
  /** Which connection asked, for audit entries and per-window state. */
  connectionId: string;
}

export type Handler<M extends MethodName> = (
  input: z.output<(typeof methods)[M]['input']>,
  context: RequestContext,
) => MethodOutput<M> | Promise<MethodOutput<M>>;

/** Every method of the contract must have exactly one handler: the compiler checks it. */
export type Handlers = { [M in MethodName]: Handler<M> };

interface Connection {
  id: string;
  port: RpcPort<unknown, CoreMessage>;
  inFlight: Map<number, AbortController>;
  subscriptions: Set<EventName>;
  detach: Array<() => void>;
}

/**
 * The core's end of the RPC contract. Each connected window (Electron MessagePort or harness
 * WebSocket) is a connection; requests are validated, run with a cancellation signal, and
 * answered with a result or `{code, message}`. Nothing else leaves: no stack, no SQL, no PHI.
 */
export class RpcDispatcher {
  private readonly connections = new Map<string, Connection>();

  constructor(
    private readonly handlers: Handlers,
    private readonly log: Logger,
    /** Methods whose contract says `access: 'unlocked'` are refused with LOCKED while this is false. */
    private readonly isUnlocked: () => boolean = () => true,
  ) {}

  get connectionCount(): number {
    return this.connections.size;
  }

  connect(port: RpcPort<unknown, CoreMessage>): () => void {
    const connection: Connection = {
      id: randomBytes(6).toString('hex'),
      port,
      inFlight: new Map(),
      subscriptions: new Set(),
      detach: [],
    };
    this.connections.set(connection.id, connection);
    connection.detach.push(port.onMessage((raw) => this.receive(connection, raw)));
    if (port.onClose) connection.detach.push(port.onClose(() => this.disconnect(connection)));
    this.log.info({ connection: connection.id }, 'rpc connection opened');
    return () => this.disconnect(connection);
  }

  /** Send an event to every connection that subscribed to it. */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const checked = events[event].parse(payload);
    for (const connection of this.connections.values()) {
      if (connection.subscriptions.has(event)) {
        this.send(connection, { type: 'event', event, payload: checked });
      }
    }
  }

  close(): void {
    for (const connection of [...this.connections.values()]) this.disconnect(connection);
  }

  private receive(connection: Connection, raw: unknown): void {
    const parsed = clientMessage.safeParse(raw);
    if (!parsed.success) {
      const id = extractId(raw);
      this.log.warn({ connection: connection.id }, 'rpc message rejected: not a valid client message');
      if (id !== undefined) {
        this.respondError(connection, id, new RpcError('BAD_REQUEST', describeIssues(parsed.error)).toShape());
      }
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'request':
        void this.handleRequest(connection, message.id, message.method, message.params);
        return;
      case 'cancel':
        connection.inFlight.get(message.id)?.abort();
        return;
      case 'subscribe':
        if (isEventName(message.event)) connection.subscriptions.add(message.event);
        return;
      case 'unsubscribe':
        if (isEventName(message.event)) connection.subscriptions.delete(message.event);
        return;
    }
  }

  private async handleRequest(connection: Connection, id: number, method: string, params: unknown): Promise<void> {
    if (!isMethodName(method)) {
      this.respondError(connection, id, { code: 'UNKNOWN_METHOD', message: `There is no method called ${method}.` });
      return;
    }
    if (connection.inFlight.has(id)) {
      this.respondError(connection, id, { code: 'BAD_REQUEST', message: 'A request with this id is already running.' });
      return;
    }
    const definition = methods[method];
    if (definition.access === 'unlocked' && !this.isUnlocked()) {
      this.respondError(connection, id, {
        code: 'LOCKED',
        message: 'The workstation is locked. Unlock it to continue.',
      });
      return;
    }
    const input = definition.input.safeParse(params);
    if (!input.success) {
      this.respondError(connection, id, { code: 'BAD_REQUEST', message: describeIssues(input.error) });
      return;
    }

    const controller = new AbortController();
    connection.inFlight.set(id, controller);
    try {
      const handler = this.handlers[method] as Handler<typeof method>;
      const result = await untilAborted(
        Promise.resolve(handler(input.data as never, { signal: controller.signal, connectionId: connection.id })),
        controller.signal,
        () => new RpcError('CANCELLED', 'The request was cancelled.'),
      );
      const output = definition.output.safeParse(result);
      if (!output.success) {
        throw new Error(`handler output for ${method} does not match the contract`);
      }
      this.send(connection, { type: 'response', id, ok: true, result: output.data });
    } catch (error) {
      this.respondError(connection, id, this.toShape(error, method, controller.signal));
    } finally {
      connection.inFlight.delete(id);
    }
  }

  private toShape(error: unknown, method: string, signal: AbortSignal): RpcErrorShape {
    if (error instanceof RpcError) return error.toShape();
    if (signal.aborted) return { code: 'CANCELLED', message: 'The request was cancelled.' };
    const ref = randomBytes(4).toString('hex');
    // Log where it failed, never what it was about: error messages can carry record content.
    this.log.error({ ref, method, error: safeErrorDetails(error) }, 'rpc handler failed');
    return { code: 'INTERNAL', message: 'Something went wrong in the workstation. Your work is saved.', ref };
  }

  private respondError(connection: Connection, id: number, error: RpcErrorShape): void {
    this.send(connection, { type: 'response', id, ok: false, error });
  }

  private send(connection: Connection, message: CoreMessage): void {
    try {
      connection.port.send(message);
    } catch {
      this.disconnect(connection);
    }
  }

  private disconnect(connection: Connection): void {
    if (!this.connections.delete(connection.id)) return;
    for (const controller of connection.inFlight.values()) controller.abort();
    connection.inFlight.clear();
    for (const undo of connection.detach.splice(0)) undo();
    connection.port.close?.();
    this.log.info({ connection: connection.id }, 'rpc connection closed');
  }
}

function extractId(raw: unknown): number | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

/** Error class, code and stack frames: enough to find the bug, with the message (which may quote data) left out. */
export function safeErrorDetails(error: unknown): { type: string; code?: string; frames: string[] } {
  if (!(error instanceof Error)) return { type: typeof error, frames: [] };
  // V8's stack starts with "Name: message", and the message may span lines (some even
  // starting with "at "). Cut the header off exactly; if it does not match, log no frames.
  const stack = error.stack ?? '';
  const header = errorHeader(error);
  const frames = (header !== undefined && stack.startsWith(header) ? stack.slice(header.length) : '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '))
    .slice(0, 8);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { type: error.name, code, frames } : { type: error.name, frames };
}

function errorHeader(error: Error): string | undefined {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return undefined;
  }
}
