import { and, count, eq, isNull } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { appendAudit } from '../audit/chain.js';
import { parseInput, principalOf, type ServerContext } from '../context.js';
import { careAssignments, devices, users } from '../db/schema.js';
import { ApiError } from '../errors.js';
import { clientsInScope, isClientInScope } from '../scope.js';
import type { authenticate } from './auth.js';

const clientParams = z.object({ clientId: z.uuid() }).strict();

export function registerClientRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  onRequest: ReturnType<typeof authenticate>,
): void {
  const { db } = ctx;

  app.get('/me', { onRequest }, async (request) => {
    const principal = principalOf(request);
    const [user] = await db
      .select({ id: users.id, username: users.username, displayName: users.displayName, role: users.role })
      .from(users)
      .where(eq(users.id, principal.id));
    const [device] = await db
      .select({ id: devices.id, name: devices.name })
      .from(devices)
      .where(eq(devices.id, principal.deviceId));
    if (!user || !device) throw new ApiError('UNAUTHENTICATED', 'The access token is not valid.');
    const scoped = await clientsInScope(db, principal);
    const [supervisees] = await db.select({ n: count() }).from(users).where(eq(users.supervisorId, principal.id));
    const [assignments] = await db
      .select({ n: count() })
      .from(careAssignments)
      .where(and(eq(careAssignments.userId, principal.id), isNull(careAssignments.removedAt)));
    await appendAudit(db, { userId: principal.id, deviceId: principal.deviceId, action: 'me.read', outcome: 'ok' });
    return {
      user,
      device,
      scope: {
        clients: scoped.length,
        caseload: scoped.filter((client) => client.relation === 'caseload').length,
        careTeam: scoped.filter((client) => client.relation === 'care_team').length,
        viaSupervisees: scoped.filter((client) => client.relation === 'supervisee').length,
        supervisees: principal.role === 'supervisor' ? (supervisees?.n ?? 0) : 0,
        ownAssignments: assignments?.n ?? 0,
      },
    };
  });

  app.get('/clients', { onRequest }, async (request) => {
    const principal = principalOf(request);
    const scoped = await clientsInScope(db, principal);
    await appendAudit(db, {
      userId: principal.id,
      deviceId: principal.deviceId,
      action: 'clients.list',
      outcome: 'ok',
      recordType: 'client',
      recordIds: scoped.map((client) => client.id),
    });
    return { clients: scoped };
  });

  app.get('/clients/:clientId', { onRequest }, async (request) => {
    const principal = principalOf(request);
    const { clientId } = parseInput(clientParams, request.params);
    const inScope = await isClientInScope(db, principal, clientId);
    if (!inScope) {
      await appendAudit(db, {
        userId: principal.id,
        deviceId: principal.deviceId,
        action: 'clients.read',
        outcome: 'denied',
        recordType: 'client',
        recordIds: [clientId],
      });
      throw new ApiError('FORBIDDEN', 'This client is not on your caseload or care team.');
    }
    const client = (await clientsInScope(db, principal)).find((entry) => entry.id === clientId);
    if (!client) throw new ApiError('FORBIDDEN', 'This client is not on your caseload or care team.');
    await appendAudit(db, {
      userId: principal.id,
      deviceId: principal.deviceId,
      action: 'clients.read',
      outcome: 'ok',
      recordType: 'client',
      recordIds: [clientId],
    });
    return { client };
  });
}
