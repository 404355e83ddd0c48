import { index, sqliteTable, text, primaryKey } from 'drizzle-orm/sqlite-core';
import { clients, staff } from './staff-clients';
import { createdAt, id, serverVersion, updatedAt } from './common';

/** An IOP or aftercare group (6–12 clients). */
export const careGroups = sqliteTable('care_groups', {
  id: id(),
  name: text('name').notNull(),
  program: text('program', { enum: ['aftercare', 'iop'] }).notNull(),
  facilitatorId: text('facilitator_id').references(() => staff.id),
  serverVersion: serverVersion(),
  createdAt: createdAt(),
});

export const careGroupMembers = sqliteTable(
  'care_group_members',
  {
    groupId: text('group_id')
      .notNull()
      .references(() => careGroups.id, { onDelete: 'cascade' }),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    joinedAt: text('joined_at').notNull(),
    leftAt: text('left_at'),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.clientId] }), index('care_group_members_client_idx').on(t.clientId)],
);

export const appointments = sqliteTable(
  'appointments',
  {
    id: id(),
    /** Null for group appointments; members are in appointment_participants. */
    clientId: text('client_id').references(() => clients.id, { onDelete: 'cascade' }),
    groupId: text('group_id').references(() => careGroups.id),
    clinicianId: text('clinician_id')
      .notNull()
      .references(() => staff.id),
    startsAt: text('starts_at').notNull(),
    endsAt: text('ends_at').notNull(),
    type: text('type', { enum: ['individual', 'group', 'medication_management', 'intake'] }).notNull(),
    modality: text('modality', { enum: ['video', 'phone', 'in_person'] }).notNull(),
    status: text('status', { enum: ['scheduled', 'checked_in', 'completed', 'no_show', 'cancelled'] })
      .notNull()
      .default('scheduled'),
    videoLink: text('video_link'),
    serverVersion: serverVersion(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('appointments_clinician_start_idx').on(t.clinicianId, t.startsAt),
    index('appointments_client_start_idx').on(t.clientId, t.startsAt),
  ],
);

export const appointmentParticipants = sqliteTable(
  'appointment_participants',
  {
    appointmentId: text('appointment_id')
      .notNull()
      .references(() => appointments.id, { onDelete: 'cascade' }),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    attendance: text('attendance', { enum: ['expected', 'present', 'absent', 'left_early'] })
      .notNull()
      .default('expected'),
  },
  (t) => [primaryKey({ columns: [t.appointmentId, t.clientId] })],
);
