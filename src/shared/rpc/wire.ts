import { z } from 'zod';
import { RPC_ERROR_CODES } from './errors';

/**
 * The wire format shared by every transport (Electron MessagePort, WebSocket in the browser
 * harness, in-memory channels in tests). Messages are plain JSON-compatible objects.
 *
 * client → core: request, cancel, subscribe, unsubscribe
 * core → client: response, event
 */
export const RPC_PROTOCOL_VERSION = 1;

/** Hard cap on the size of one serialised message, enforced by transports that see bytes. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

const requestId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const name = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)+$/, 'names look like "area.action"');

export const wireRequest = z.object({
  type: z.literal('request'),
  id: requestId,
  method: name,
  params: z.unknown(),
});
export const wireCancel = z.object({ type: z.literal('cancel'), id: requestId });
export const wireSubscribe = z.object({ type: z.literal('subscribe'), event: name });
export const wireUnsubscribe = z.object({ type: z.literal('unsubscribe'), event: name });

export const clientMessage = z.discriminatedUnion('type', [wireRequest, wireCancel, wireSubscribe, wireUnsubscribe]);
export type ClientMessage = z.infer<typeof clientMessage>;

export const wireError = z.object({
  code: z.enum(RPC_ERROR_CODES),
  message: z.string(),
  ref: z.string().optional(),
});

export const wireResponse = z.union([
  z.object({ type: z.literal('response'), id: requestId, ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('response'), id: requestId, ok: z.literal(false), error: wireError }),
]);
export const wireEvent = z.object({ type: z.literal('event'), event: name, payload: z.unknown() });

export const coreMessage = z.union([wireResponse, wireEvent]);
export type CoreMessage = z.infer<typeof coreMessage>;

/**
 * A bidirectional message channel. Each transport adapts to this; the RPC client and the
 * core's dispatcher only ever see this interface.
 */
export interface RpcPort<In, Out> {
  send(message: Out): void;
  /** Register the single message listener; returns a function that removes it. */
  onMessage(listener: (message: In) => void): () => void;
  /** Called once when the other side goes away. */
  onClose?(listener: () => void): () => void;
  close?(): void;
}
