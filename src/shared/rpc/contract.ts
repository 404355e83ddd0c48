import { z } from 'zod';
import { preferencesPatchSchema, preferencesSchema } from '../settings/preferences';
import { syncStatusSchema } from '../sync/status';
import { systemInfoSchema } from '../system/info';

/**
 * The RPC contract between the renderer and the core: every method with its input and output
 * schema, every event with its payload schema. Both ends validate against it: the core checks
 * inputs (and, in development, its own outputs); the renderer checks what comes back.
 *
 * Naming: `area.action` for methods, `area.somethingHappened` for events.
 */
export interface MethodDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** How long the renderer waits before giving up with TIMEOUT. */
  timeoutMs?: number;
}

const method = <I extends z.ZodType, O extends z.ZodType>(def: MethodDefinition<I, O>): MethodDefinition<I, O> => def;

const empty = z.object({}).strict();

export const methods = {
  /** Round trip through every layer; echoes the message back with the time the core saw it. */
  'system.ping': method({
    input: z.object({ message: z.string().max(1000) }).strict(),
    output: z.object({ message: z.string(), receivedAt: z.iso.datetime() }),
  }),
  'system.info': method({ input: empty, output: systemInfoSchema }),

  'settings.get': method({ input: empty, output: preferencesSchema }),
  'settings.update': method({ input: preferencesPatchSchema, output: preferencesSchema }),

  'sync.status': method({ input: empty, output: syncStatusSchema }),
} as const;

export const events = {
  'settings.changed': preferencesSchema,
  'sync.statusChanged': syncStatusSchema,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export function isMethodName(value: string): value is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, value);
}

export function isEventName(value: string): value is EventName {
  return Object.prototype.hasOwnProperty.call(events, value);
}

export const DEFAULT_TIMEOUT_MS = 30_000;
