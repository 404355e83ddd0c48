import { text } from 'drizzle-orm/sqlite-core';

/**
 * Conventions shared by every table:
 * - ids are text UUIDs (crypto.randomUUID), assigned by whoever creates the record (the
 *   workstation for local records, the clinic server for synced ones), so records can be
 *   created offline and synced without renumbering;
 * - times are ISO-8601 strings in UTC (`2026-02-16T14:03:00.000Z`), dates `YYYY-MM-DD`;
 * - structure that is defined by a template or protocol (note content, questionnaire answers,
 *   plan steps) lives in JSON text columns, typed with `$type<…>()`;
 * - `server_version` is the clinic server's revision of a synced record (null = never synced).
 */
export const id = () => text('id').primaryKey();
export const createdAt = () => text('created_at').notNull();
export const updatedAt = () => text('updated_at').notNull();
export const serverVersion = () => text('server_version');

export type IsoTimestamp = string;
export type IsoDate = string;
