import { randomUUID } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkstationDb } from '../../../src/core/store/db';
import { clients, staff } from '../../../src/core/store/schema';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../src/core/store/migrations');
/** The pull worker's source (the core runs from source in tests: loaded through tsx). */
export const PULL_WORKER = {
  path: join(dirname(fileURLToPath(import.meta.url)), '../../../src/core/sync/pull-worker.ts'),
};
export const FAST_SCRYPT = { N: 2 ** 14, r: 8, p: 1 };

export function seedClinician(db: WorkstationDb, id = randomUUID()): string {
  const now = new Date().toISOString();
  db.insert(staff).values({ id, displayName: 'Clinician', role: 'counselor', createdAt: now, updatedAt: now }).run();
  return id;
}

export function seedClient(
  db: WorkstationDb,
  values: { givenName: string; familyName: string; clinicianId: string; id?: string },
): string {
  const now = new Date().toISOString();
  const id = values.id ?? randomUUID();
  db.insert(clients)
    .values({
      id,
      givenName: values.givenName,
      familyName: values.familyName,
      dateOfBirth: '1990-01-01',
      program: 'iop',
      levelOfCare: 'IOP',
      primaryClinicianId: values.clinicianId,
      createdAt: now,
      updatedAt: now,
    })
    .run();
  return id;
}
