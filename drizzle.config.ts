import { defineConfig } from 'drizzle-kit';

/**
 * drizzle-kit generates the SQL migrations of the encrypted workstation cache from the schema
 * (`npm run db:generate`). The core applies them at unlock (src/core/store/migrate.ts).
 * Custom SQL (FTS5, append-only triggers) lives in `--custom` migrations in the same folder.
 */
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/core/store/schema/index.ts',
  out: './src/core/store/migrations',
  strict: true,
  verbose: true,
});
