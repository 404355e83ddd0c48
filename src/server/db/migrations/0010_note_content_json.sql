-- Note content as json (its text as written) instead of jsonb: pulls send it as text, and
-- PGlite turning every jsonb value back into text was a third of an initial sync's server time.
ALTER TABLE "notes" ALTER COLUMN "content" SET DATA TYPE json USING "content"::json;
