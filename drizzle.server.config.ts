import { defineConfig } from 'drizzle-kit';

/**
 * drizzle-kit generates the clinic server's SQL migrations (`npm run db:generate:server`).
 * The server applies them at startup on PGlite or PostgreSQL (src/server/db/database.ts).
 * Custom SQL (the audit table's append-only trigger) lives in `--custom` migrations.
 */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/server/db/schema.ts',
  out: './src/server/db/migrations',
  strict: true,
  verbose: true,
});
