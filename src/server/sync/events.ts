import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Poke } from '../../shared/sync/protocol.js';
import { appendAudit } from '../audit/chain.js';
import { principalOf, type ServerContext } from '../context.js';
import type { authenticate } from '../routes/auth.js';

export const HEARTBEAT_MS = 25_000;
/** setTimeout's limit; an access token lives minutes, this only guards odd configurations. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * GET /sync/events: a server-sent-events stream of pokes for the caller (docs/sync-protocol.md,
 * "Poke"). The token is checked before the stream starts (401 JSON otherwise); the stream closes
 * when the access token expires, after `deviceRevoked`, and when the server shuts down.
 */
export function registerEventRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  onRequest: ReturnType<typeof authenticate>,
): void {
  const open = new Set<() => void>();
  // On shutdown, end the streams and drop their sockets, or the server would wait for them.
  const sockets = new Set<Socket>();
  app.addHook('preClose', (done) => {
    for (const end of [...open]) end();
    for (const socket of sockets) socket.destroy();
    done();
  });

  app.get('/sync/events', { onRequest }, async (request, reply) => {
    const principal = principalOf(request);
    await appendAudit(ctx.db, {
      userId: principal.id,
      deviceId: principal.deviceId,
      action: 'sync.subscribe',
      outcome: 'ok',
      recordType: 'device',
      recordIds: [principal.deviceId],
    });

    reply.hijack();
    const raw = reply.raw;

    const send = (poke: Poke) => {
      if (!raw.destroyed && !raw.writableEnded) raw.write(`event: ${poke.type}\ndata: ${JSON.stringify(poke)}\n\n`);
    };
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      open.delete(end);
      unsubscribe();
      clearInterval(heartbeat);
      clearTimeout(expiry);
      if (!raw.destroyed && !raw.writableEnded) raw.end();
    };
    const unsubscribe = ctx.pokeBus.subscribe(principal.id, (event) => {
      if (event.type === 'poke') {
        send({ type: 'poke' });
      } else if (event.deviceId === principal.deviceId) {
        send({ type: 'deviceRevoked' });
        end();
      }
    });
    const heartbeat = setInterval(() => {
      if (!raw.destroyed && !raw.writableEnded) raw.write(': ping\n\n');
    }, HEARTBEAT_MS);
    const remaining = (principal.accessExpiresAt?.getTime() ?? 0) - ctx.now().getTime();
    const expiry = setTimeout(() => end(), Math.min(Math.max(remaining, 0), MAX_TIMER_MS));
    open.add(end);
    const socket = request.raw.socket;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    request.raw.on('close', () => end());
    raw.on('close', () => end());
    // Subscribed before the headers go out: once the client sees them, no poke is missed.
    raw.writeHead(200, {
      // A hijacked reply skips the onSend hook (app.ts): the Date header from the server's clock
      // here too, or workstations would measure their drift against two clocks.
      date: ctx.now().toUTCString(),
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      // One stream per connection: the socket goes when the stream ends (no idle socket holding up close).
      connection: 'close',
      'x-accel-buffering': 'no',
    });
    raw.write(': connected\n\n');
  });
}
