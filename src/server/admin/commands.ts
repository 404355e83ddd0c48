import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit, verifyAuditChain } from '../audit/chain.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/passwords.js';
import type { ServerDb } from '../db/database.js';
import { careAssignments, clients, devices, refreshTokens, serverKeys, users } from '../db/schema.js';
import { createClientWithProfile } from '../records/clients.js';
import { refreshStaffRecord } from '../records/staff.js';
import { FEED_EPOCH_KEY } from '../sync/cursor.js';
import { everyone, notifyDeviceRevoked, notifyPoke, usersAndSupervisors } from '../sync/poke-bus.js';

/**
 * The admin commands (`npm run admin -- <command>`), runnable in-process for tests.
 * Output never contains password hashes or tokens; client names are printed only by the
 * command that creates the client (the admin typed it). Assignment, supervisor and device
 * changes NOTIFY inside their transaction, so running servers poke the workstations concerned.
 * Creating or changing a user writes their `staff` record (records/staff.ts) and pokes everyone;
 * creating a client writes its `client` profile record (records/clients.ts).
 */

export interface AdminIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The whole of standard input (for --password-stdin). */
  readStdin: () => Promise<string>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const roleSchema = z.enum(['clinician', 'supervisor', 'admin']);
const kindSchema = z.enum(['caseload', 'care_team']);
const programSchema = z.enum(['aftercare', 'iop']);
const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9._-]{2,64}$/, 'usernames are 2–64 of a-z 0-9 . _ -');
const uuidSchema = z.uuid();
const dateSchema = z.iso.date();
const credentialsSchema = z.string().trim().min(1).max(100);

type Options = Record<string, string | boolean | undefined>;

interface CommandSpec {
  summary: string;
  usage: string;
  options: Record<string, { type: 'string' | 'boolean' }>;
  run: (db: ServerDb, options: Options, io: AdminIo) => Promise<void>;
}

const required = (options: Options, name: string): string => {
  const value = options[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value;
};

const check = <T>(schema: z.ZodType<T>, value: unknown, name: string): T => {
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(`--${name}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
};

async function readPassword(options: Options, io: AdminIo): Promise<{ password: string; generated: boolean }> {
  if (options['password-stdin'] === true) {
    const password = (await io.readStdin()).split(/\r?\n/)[0] ?? '';
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw new UsageError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    return { password, generated: false };
  }
  return { password: randomBytes(18).toString('base64url'), generated: true };
}

async function userByName(db: ServerDb, username: string) {
  const [user] = await db.select().from(users).where(eq(users.username, username));
  if (!user) throw new UsageError(`no user named ${username}`);
  return user;
}

const audit = (db: ServerDb, action: string, recordType: string, recordIds: string[]) =>
  appendAudit(db, {
    userId: null,
    deviceId: null,
    action,
    outcome: 'ok',
    recordType,
    recordIds,
    details: { via: 'cli' },
  });

export const commands: Record<string, CommandSpec> = {
  'create-user': {
    summary: 'create an account (prints a generated password unless --password-stdin)',
    usage:
      'create-user --username <u> --name <display name> --role clinician|supervisor|admin [--credentials <e.g. LCSW>] [--supervisor <u>] [--password-stdin]',
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      credentials: { type: 'string' },
      supervisor: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
    run: async (db, options, io) => {
      const username = check(usernameSchema, required(options, 'username'), 'username');
      const displayName = required(options, 'name').trim();
      const role = check(roleSchema, required(options, 'role'), 'role');
      const credentials =
        typeof options['credentials'] === 'string'
          ? check(credentialsSchema, options['credentials'], 'credentials')
          : null;
      const supervisor =
        typeof options['supervisor'] === 'string'
          ? await userByName(db, check(usernameSchema, options['supervisor'], 'supervisor'))
          : undefined;
      if (supervisor && supervisor.role !== 'supervisor')
        throw new UsageError(`${supervisor.username} is not a supervisor`);
      const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.username, username));
      if (existing) throw new UsageError(`a user named ${username} already exists`);
      const { password, generated } = await readPassword(options, io);
      const passwordHash = await hashPassword(password);
      const id = await db.transaction(async (tx) => {
        const [created] = await tx
          .insert(users)
          .values({ username, displayName, role, credentials, passwordHash, supervisorId: supervisor?.id ?? null })
          .returning({ id: users.id });
        if (!created) throw new Error('insert returned nothing');
        await refreshStaffRecord(tx, created.id);
        await audit(tx, 'admin.create_user', 'user', [created.id]);
        await notifyPoke(tx, await everyone(tx));
        return created.id;
      });
      io.stdout(`Created ${role} ${username} (${id})\n`);
      if (generated) io.stdout(`Temporary password (shown once): ${password}\n`);
    },
  },
  'update-user': {
    summary: "change a user's display name or credentials (their staff record follows)",
    usage: 'update-user --username <u> [--name <display name>] [--credentials <c> | --no-credentials]',
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      credentials: { type: 'string' },
      'no-credentials': { type: 'boolean' },
    },
    run: async (db, options, io) => {
      const user = await userByName(db, check(usernameSchema, required(options, 'username'), 'username'));
      const changes: { displayName?: string; credentials?: string | null } = {};
      if (typeof options['name'] === 'string') changes.displayName = required(options, 'name').trim();
      if (typeof options['credentials'] === 'string') {
        if (options['no-credentials'] === true) throw new UsageError('give either --credentials or --no-credentials');
        changes.credentials = check(credentialsSchema, options['credentials'], 'credentials');
      } else if (options['no-credentials'] === true) {
        changes.credentials = null;
      }
      if (Object.keys(changes).length === 0) throw new UsageError('nothing to change: give --name or --credentials');
      await db.transaction(async (tx) => {
        await tx.update(users).set(changes).where(eq(users.id, user.id));
        await refreshStaffRecord(tx, user.id);
        await audit(tx, 'admin.update_user', 'user', [user.id]);
        await notifyPoke(tx, await everyone(tx));
      });
      io.stdout(`Updated ${user.username}\n`);
    },
  },
  'set-password': {
    summary: "reset a user's password and sign out all their devices",
    usage: 'set-password --username <u> [--password-stdin]',
    options: { username: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
    run: async (db, options, io) => {
      const user = await userByName(db, check(usernameSchema, required(options, 'username'), 'username'));
      const { password, generated } = await readPassword(options, io);
      const passwordHash = await hashPassword(password);
      await db.transaction(async (tx) => {
        const now = new Date();
        await tx.update(users).set({ passwordHash, passwordChangedAt: now }).where(eq(users.id, user.id));
        await tx
          .update(refreshTokens)
          .set({ revokedAt: now })
          .where(and(eq(refreshTokens.userId, user.id), isNull(refreshTokens.revokedAt)));
        await audit(tx, 'admin.set_password', 'user', [user.id]);
      });
      io.stdout(`Password of ${user.username} changed; their sessions are signed out\n`);
      if (generated) io.stdout(`Temporary password (shown once): ${password}\n`);
    },
  },
  'create-client': {
    summary: 'create a client with their profile (prints the id, never the name)',
    usage:
      'create-client --given-name <n> --family-name <n> --dob <YYYY-MM-DD> --program aftercare|iop [--preferred-name <n>] [--pronouns <p>] [--mrn <m>] [--phone <p>] [--level-of-care <text>] [--recovery-start <YYYY-MM-DD>] [--primary <username>]',
    options: {
      'given-name': { type: 'string' },
      'family-name': { type: 'string' },
      dob: { type: 'string' },
      program: { type: 'string' },
      'preferred-name': { type: 'string' },
      pronouns: { type: 'string' },
      mrn: { type: 'string' },
      phone: { type: 'string' },
      'level-of-care': { type: 'string' },
      'recovery-start': { type: 'string' },
      primary: { type: 'string' },
    },
    run: async (db, options, io) => {
      const optional = (name: string): string | null =>
        typeof options[name] === 'string' && options[name].trim() !== '' ? options[name].trim() : null;
      const program = check(programSchema, required(options, 'program'), 'program');
      const dateOfBirth = check(dateSchema, required(options, 'dob'), 'dob');
      const recovery = optional('recovery-start');
      const primaryName = optional('primary');
      const primary = primaryName ? await userByName(db, check(usernameSchema, primaryName, 'primary')) : undefined;
      if (primary?.role === 'admin') throw new UsageError('an admin cannot be a primary clinician');
      const profile = {
        givenName: required(options, 'given-name').trim(),
        familyName: required(options, 'family-name').trim(),
        preferredName: optional('preferred-name'),
        pronouns: optional('pronouns'),
        mrn: optional('mrn'),
        phone: optional('phone'),
        dateOfBirth,
        program,
        // ASAM levels: 2.1 intensive outpatient, 1.0 outpatient (aftercare).
        levelOfCare: optional('level-of-care') ?? (program === 'iop' ? 'ASAM 2.1' : 'ASAM 1.0'),
        recoveryStartDate: recovery ? check(dateSchema, recovery, 'recovery-start') : null,
        primaryClinicianId: primary?.id ?? null,
        status: 'active' as const,
      };
      const id = await db.transaction(async (tx) => {
        const created = await createClientWithProfile(tx, profile);
        await audit(tx, 'admin.create_client', 'client', [created]);
        return created;
      });
      io.stdout(`Created client ${id}\n`);
    },
  },
  'assign-client': {
    summary: "put a client on a user's caseload or care team",
    usage: 'assign-client --username <u> --client <client id> --kind caseload|care_team',
    options: { username: { type: 'string' }, client: { type: 'string' }, kind: { type: 'string' } },
    run: async (db, options, io) => {
      const user = await userByName(db, check(usernameSchema, required(options, 'username'), 'username'));
      const clientId = check(uuidSchema, required(options, 'client'), 'client');
      const kind = check(kindSchema, required(options, 'kind'), 'kind');
      if (user.role === 'admin') throw new UsageError('admins hold no caseload');
      const [client] = await db.select({ id: clients.id }).from(clients).where(eq(clients.id, clientId));
      if (!client) throw new UsageError(`no client with id ${clientId}`);
      await db.transaction(async (tx) => {
        const now = new Date();
        await tx
          .insert(careAssignments)
          .values({ userId: user.id, clientId, kind, createdAt: now, updatedAt: now })
          .onConflictDoUpdate({
            target: [careAssignments.userId, careAssignments.clientId],
            set: { kind, updatedAt: now, removedAt: null },
          });
        await audit(tx, 'admin.assign_client', 'client', [clientId, user.id]);
        await notifyPoke(tx, await usersAndSupervisors(tx, [user.id]));
      });
      io.stdout(`Assigned client ${clientId} to ${user.username} (${kind})\n`);
    },
  },
  'unassign-client': {
    summary: "take a client off a user's caseload or care team",
    usage: 'unassign-client --username <u> --client <client id>',
    options: { username: { type: 'string' }, client: { type: 'string' } },
    run: async (db, options, io) => {
      const user = await userByName(db, check(usernameSchema, required(options, 'username'), 'username'));
      const clientId = check(uuidSchema, required(options, 'client'), 'client');
      const removed = await db.transaction(async (tx) => {
        const now = new Date();
        const rows = await tx
          .update(careAssignments)
          .set({ removedAt: now, updatedAt: now })
          .where(
            and(
              eq(careAssignments.userId, user.id),
              eq(careAssignments.clientId, clientId),
              isNull(careAssignments.removedAt),
            ),
          )
          .returning({ clientId: careAssignments.clientId });
        if (rows.length > 0) {
          await audit(tx, 'admin.unassign_client', 'client', [clientId, user.id]);
          await notifyPoke(tx, await usersAndSupervisors(tx, [user.id]));
        }
        return rows.length > 0;
      });
      if (!removed) throw new UsageError(`client ${clientId} is not assigned to ${user.username}`);
      io.stdout(`Unassigned client ${clientId} from ${user.username}\n`);
    },
  },
  'set-supervisor': {
    summary: "set or clear a clinician's supervisor",
    usage: 'set-supervisor --username <u> (--supervisor <u> | --none)',
    options: { username: { type: 'string' }, supervisor: { type: 'string' }, none: { type: 'boolean' } },
    run: async (db, options, io) => {
      const user = await userByName(db, check(usernameSchema, required(options, 'username'), 'username'));
      let supervisorId: string | null = null;
      if (options['none'] !== true) {
        const supervisor = await userByName(db, check(usernameSchema, required(options, 'supervisor'), 'supervisor'));
        if (supervisor.role !== 'supervisor') throw new UsageError(`${supervisor.username} is not a supervisor`);
        if (supervisor.id === user.id) throw new UsageError('a user cannot supervise themselves');
        supervisorId = supervisor.id;
      } else if (typeof options['supervisor'] === 'string') {
        throw new UsageError('give either --supervisor or --none');
      }
      await db.transaction(async (tx) => {
        // A trigger records the supervision's start and end (supervisions), which pull compares
        // with the cursor: the new supervisor resyncs, the former one purges.
        await tx.update(users).set({ supervisorId }).where(eq(users.id, user.id));
        await refreshStaffRecord(tx, user.id);
        // The clinician, the former and the new supervisor's scopes change, and every
        // workstation holds the clinician's staff record.
        await notifyPoke(tx, await everyone(tx));
        await audit(tx, 'admin.set_supervisor', 'user', supervisorId ? [user.id, supervisorId] : [user.id]);
      });
      io.stdout(
        supervisorId
          ? `${user.username} is now supervised by ${String(options['supervisor'])}\n`
          : `${user.username} has no supervisor\n`,
      );
    },
  },
  'set-requires-cosign': {
    summary:
      "say whether a clinician's notes need their supervisor's co-signature (notes signed from now on; their staff record follows)",
    usage: 'set-requires-cosign --username <u> --value true|false',
    options: { username: { type: 'string' }, value: { type: 'string' } },
    run: async (db, options, io) => {
      const user = await userByName(db, check(usernameSchema, required(options, 'username'), 'username'));
      const requiresCosign = check(z.enum(['true', 'false']), required(options, 'value'), 'value') === 'true';
      if (requiresCosign && user.role === 'admin') throw new UsageError('an admin signs no notes');
      await db.transaction(async (tx) => {
        await tx.update(users).set({ requiresCosign }).where(eq(users.id, user.id));
        await refreshStaffRecord(tx, user.id);
        await audit(tx, 'admin.set_requires_cosign', 'user', [user.id]);
        // Staff records are clinic-wide.
        await notifyPoke(tx, await everyone(tx));
      });
      io.stdout(
        requiresCosign
          ? `Notes ${user.username} signs now need a co-signature${user.supervisorId ? '' : ' (they have no supervisor yet: set one with set-supervisor)'}\n`
          : `Notes ${user.username} signs no longer need a co-signature\n`,
      );
    },
  },
  'list-users': {
    summary: 'list accounts (username, role, supervisor; never password hashes)',
    usage: 'list-users',
    options: {},
    run: async (db, _options, io) => {
      const rows = await db
        .select({
          id: users.id,
          username: users.username,
          displayName: users.displayName,
          role: users.role,
          supervisorId: users.supervisorId,
          disabledAt: users.disabledAt,
        })
        .from(users)
        .orderBy(asc(users.username));
      const names = new Map(rows.map((row) => [row.id, row.username]));
      io.stdout('username\trole\tsupervisor\tstatus\tid\tname\n');
      for (const row of rows) {
        const supervisor = row.supervisorId ? (names.get(row.supervisorId) ?? '?') : '-';
        const status = row.disabledAt ? 'disabled' : 'active';
        io.stdout(`${row.username}\t${row.role}\t${supervisor}\t${status}\t${row.id}\t${row.displayName}\n`);
      }
    },
  },
  'list-devices': {
    summary: 'list registered devices, optionally of one user',
    usage: 'list-devices [--username <u>]',
    options: { username: { type: 'string' } },
    run: async (db, options, io) => {
      const only =
        typeof options['username'] === 'string'
          ? await userByName(db, check(usernameSchema, options['username'], 'username'))
          : undefined;
      const rows = await db
        .select({
          id: devices.id,
          name: devices.name,
          username: users.username,
          createdAt: devices.createdAt,
          lastSeenAt: devices.lastSeenAt,
          revokedAt: devices.revokedAt,
        })
        .from(devices)
        .innerJoin(users, eq(users.id, devices.userId))
        .where(only ? eq(devices.userId, only.id) : undefined)
        .orderBy(asc(users.username), asc(devices.createdAt));
      io.stdout('device id\tuser\tname\tlast seen\tstatus\n');
      for (const row of rows) {
        const status = row.revokedAt ? `revoked ${row.revokedAt.toISOString()}` : 'active';
        io.stdout(`${row.id}\t${row.username}\t${row.name}\t${row.lastSeenAt?.toISOString() ?? '-'}\t${status}\n`);
      }
    },
  },
  'revoke-device': {
    summary: 'revoke a device: its tokens stop working and its next sync erases its cache',
    usage: 'revoke-device --device <device id>',
    options: { device: { type: 'string' } },
    run: async (db, options, io) => {
      const deviceId = check(uuidSchema, required(options, 'device'), 'device');
      const [device] = await db.select().from(devices).where(eq(devices.id, deviceId));
      if (!device) throw new UsageError(`no device with id ${deviceId}`);
      if (device.revokedAt) {
        io.stdout(`Device ${deviceId} was already revoked\n`);
        return;
      }
      await db.transaction(async (tx) => {
        const now = new Date();
        await tx.update(devices).set({ revokedAt: now }).where(eq(devices.id, deviceId));
        await tx
          .update(refreshTokens)
          .set({ revokedAt: now })
          .where(and(eq(refreshTokens.deviceId, deviceId), isNull(refreshTokens.revokedAt)));
        await audit(tx, 'admin.revoke_device', 'device', [deviceId]);
        await notifyDeviceRevoked(tx, [{ userId: device.userId, deviceId }]);
      });
      io.stdout(`Revoked device ${deviceId}\n`);
    },
  },
  restored: {
    summary:
      'after restoring a backup: every workstation pulls all its records again and sends again what the server forgot',
    usage: 'restored',
    options: {},
    run: async (db, _options, io) => {
      const epoch = randomUUID();
      await db.transaction(async (tx) => {
        await tx
          .insert(serverKeys)
          .values({ name: FEED_EPOCH_KEY, secret: epoch })
          .onConflictDoUpdate({ target: serverKeys.name, set: { secret: epoch, createdAt: new Date() } });
        await audit(tx, 'admin.restored', 'server', []);
        await notifyPoke(tx, await everyone(tx));
      });
      io.stdout(
        'Every workstation will pull its records again on its next sync, and send again the changes it has that this database forgot.\n',
      );
    },
  },
  'verify-audit': {
    summary: 'check the hash chain of the audit log',
    usage: 'verify-audit',
    options: {},
    run: async (db, _options, io) => {
      const result = await verifyAuditChain(db);
      if (!result.ok) {
        throw new Error(
          `audit chain broken at entry ${result.brokenAt} (${result.reason}); ${result.count} entries verified`,
        );
      }
      io.stdout(`Audit chain intact: ${result.count} entries\n`);
    },
  },
};

export function usage(): string {
  const lines = Object.values(commands).map((spec) => `  ${spec.usage}\n      ${spec.summary}`);
  return [
    'Usage: npm run admin -- [--data <dir>] <command> [options]',
    '  Uses DATABASE_URL when set, otherwise the PGlite data directory (default ./clinic-data).',
    '',
    'Commands:',
    ...lines,
    '',
  ].join('\n');
}

/** Parse a command's arguments; throws UsageError on unknown commands or options. */
export function parseCommand(argv: string[]): { name: string; spec: CommandSpec; options: Options } {
  const [name, ...rest] = argv;
  if (name === undefined) throw new UsageError('no command given');
  const spec = commands[name];
  if (!spec) throw new UsageError(`unknown command: ${name}`);
  try {
    const { values } = parseArgs({ args: rest, options: spec.options, strict: true, allowPositionals: false });
    return { name, spec, options: values as Options };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
