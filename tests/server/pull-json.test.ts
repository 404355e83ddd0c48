import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notes, records } from '../../src/server/db/schema.js';
import { pulledNoteContent, pullResponseSchema, type Change } from '../../src/shared/sync/protocol.js';
import { NO_COSIGN, recordSchemas } from '../../src/shared/sync/records.js';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { assign, createClient, createUser, startTestServer, type TestServer } from './helpers/fixtures.js';
import { syncClient } from './helpers/sync-session.js';

/**
 * The pull answer's JSON is written by the database (src/server/sync/pull.ts): each change is
 * built from the stored row and forwarded as text. What a workstation relies on: the answer is
 * strict JSON in the protocol's shape, and every record in it is the record the server holds —
 * any text (quotes, backslashes, line breaks, accents, emoji), any numbers, timestamps as
 * `toISOString()` writes them (milliseconds, truncated) — on PGlite and on PostgreSQL; from
 * protocol 2 on, each note's content as its JSON text. The answer's bytes are ASCII (characters
 * beyond it as JSON escapes, src/server/sync/ascii-json.ts).
 */
const backends = useBackends();

/** Content that is hard to write as JSON text: every kind of value, escapes, non-ASCII. */
const awkwardContent = {
  templateId: 'soap',
  templateVersion: 1,
  text: 'She said "enough" \\ then left.\nLine two\ttabbed\r\n\u2028separator «guillemets» Zoë 北京 🌱',
  controls: '\u0001\u001f',
  numbers: { zero: 0, negative: -12, decimal: 2.5, small: 0.000125, large: 9_007_199_254_740_991, exp: 1.5e-7 },
  nested: [[], {}, [1, [2, [3]]], { deeper: { deepest: null } }],
  flags: [true, false, null],
  empty: '',
  html: '<b>bold</b> & </script>',
};

describe.each(BACKENDS)('pull answers written by the database (%s)', (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  let sync: ReturnType<typeof syncClient>;

  beforeAll(async () => {
    database = await backends.open(backend);
    server = await startTestServer(database.db);
    sync = syncClient(server);
  });
  afterAll(async () => server?.close());

  it('is strict JSON in the protocol shape, and each record is the one the server holds', async () => {
    const user = await createUser(database.db);
    const clientId = await createClient(database.db, {
      preferredName: 'Zoë "Z" O\'Brien \\ 🌱',
      address: { line1: '12 "Quoted" Lane\nFlat 3', city: 'Ciudad Juárez', region: 'CHH', postalCode: '32000' },
    });
    await assign(database.db, user.id, clientId, 'caseload');
    const s = await sync.session(user.username);
    const noteId = randomUUID();
    const removedId = randomUUID();
    expect(
      await sync.push(
        s,
        { name: 'note.saveDraft', clientId, args: { noteId, content: awkwardContent, baseVersion: null } },
        { name: 'note.saveDraft', clientId, args: { noteId: removedId, content: { text: 'x' }, baseVersion: null } },
        { name: 'record.delete', clientId, args: { entity: 'note', id: removedId } },
      ),
    ).toEqual(['applied', 'applied', 'applied']);
    // A timestamp with microseconds (PostgreSQL's precision): the wire has milliseconds, cut
    // like Date.toISOString() cuts them.
    await database.raw(`update notes set updated_at = '2026-03-02 10:00:00.123999+00' where id = $1`, [noteId]);

    const response = await server.post(
      '/sync/pull',
      { protocolVersion: 1, replicaId: s.replicaId, cursor: null, limit: 1000 },
      { authorization: `Bearer ${s.token}` },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    // Sent in ASCII: the accents, guillemets, Chinese and the emoji as JSON escapes (the
    // workstation reads an ASCII answer without decoding it, prepare-changes.ts).
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(bytes.findIndex((byte) => byte > 0x7f)).toBe(-1);
    expect(new TextDecoder().decode(bytes)).toContain('Zo\\u00eb');
    const answer = pullResponseSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
    if (answer.status !== 'ok') throw new Error(`expected ok, got ${answer.reason}`);
    expect(answer.hasMore).toBe(false);

    // Every put fits its record schema, as the workstation checks before writing it.
    const puts = answer.changes.filter((c): c is Extract<Change, { op: 'put' }> => c.op === 'put');
    for (const put of puts) {
      const schema = recordSchemas[put.entity as keyof typeof recordSchemas];
      expect(schema, put.entity).toBeDefined();
      expect(schema.safeParse(put.data).success, put.entity).toBe(true);
    }

    const note = puts.find((c) => c.id === noteId);
    const [row] = await database.db.select().from(notes).where(eq(notes.id, noteId));
    expect(note).toEqual({
      op: 'put',
      entity: 'note',
      id: noteId,
      clientId,
      version: row!.version,
      data: {
        id: noteId,
        clientId,
        authorId: user.id,
        status: 'draft',
        content: awkwardContent,
        contentHash: null,
        signedAt: null,
        signedBy: null,
        cosign: NO_COSIGN,
        lastSaved: { deviceId: expect.any(String), at: row!.lastSavedAt!.toISOString() },
        sharing: null,
        version: row!.version,
        createdAt: row!.createdAt.toISOString(),
        updatedAt: '2026-03-02T10:00:00.123Z',
      },
    });
    expect(row!.updatedAt.toISOString()).toBe('2026-03-02T10:00:00.123Z');

    // The deleted note travels as a tombstone with its version; the client as its stored record.
    const [removed] = await database.db.select().from(notes).where(eq(notes.id, removedId));
    expect(answer.changes.filter((c) => c.op !== 'purgeClient' && c.id === removedId)).toEqual([
      { op: 'delete', entity: 'note', id: removedId, clientId, version: removed!.version },
    ]);
    const [profile] = await database.db.select().from(records).where(eq(records.id, clientId));
    expect(puts.find((c) => c.id === clientId)).toEqual({
      op: 'put',
      entity: 'client',
      id: clientId,
      clientId,
      version: profile!.version,
      data: profile!.data,
    });
    expect((profile!.data as { preferredName: string }).preferredName).toBe('Zoë "Z" O\'Brien \\ 🌱');

    // Protocol 2: the same answer, but each note's content is its JSON text (what the
    // workstation stores); the text reads back as the same content.
    const v2 = pullResponseSchema.parse(
      await (
        await server.post(
          '/sync/pull',
          { protocolVersion: 2, replicaId: s.replicaId, cursor: null, limit: 1000 },
          { authorization: `Bearer ${s.token}` },
        )
      ).json(),
    );
    if (v2.status !== 'ok') throw new Error(`expected ok, got ${v2.reason}`);
    const v2Note = v2.changes.find((c): c is Extract<Change, { op: 'put' }> => c.op === 'put' && c.id === noteId);
    expect(typeof v2Note?.data['content']).toBe('string');
    expect(JSON.parse(v2Note!.data['content'] as string)).toEqual(awkwardContent);
    expect(pulledNoteContent(v2Note!.data['content'])).toEqual({
      value: awkwardContent,
      json: v2Note!.data['content'],
    });
    expect({ ...v2Note, data: { ...v2Note!.data, content: awkwardContent } }).toEqual(note);
    // Everything but note content is the same in both versions.
    const withoutNotes = (changes: Change[]) => changes.filter((c) => c.op === 'purgeClient' || c.entity !== 'note');
    expect(withoutNotes(v2.changes)).toEqual(withoutNotes(answer.changes));
  });

  it('pages the same way at any page size, and an empty page is a valid answer', async () => {
    const user = await createUser(database.db);
    const clientId = await createClient(database.db);
    await assign(database.db, user.id, clientId, 'caseload');
    const s = await sync.session(user.username);
    const ids = Array.from({ length: 7 }, () => randomUUID());
    await sync.push(
      s,
      ...ids.map((noteId, i) => ({
        name: 'note.saveDraft' as const,
        clientId,
        args: { noteId, content: { text: `note ${i}` }, baseVersion: null },
      })),
    );
    const whole = await sync.pullAll(s, null);
    const paged: Change[] = [];
    let cursor: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await sync.pull(s, cursor, 2);
      if (page.status !== 'ok') throw new Error('resync');
      expect(page.changes.length).toBeLessThanOrEqual(2);
      paged.push(...page.changes);
      pages += 1;
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    expect(pages).toBeGreaterThan(3);
    expect(paged).toEqual(whole.changes);
    // Protocol 2, whole and in pages of two: the same changes, each note's content as its text.
    const pullV2 = async (from: string | null, limit: number) => {
      const answer = pullResponseSchema.parse(
        await (
          await server.post(
            '/sync/pull',
            { protocolVersion: 2, replicaId: s.replicaId, cursor: from, limit },
            { authorization: `Bearer ${s.token}` },
          )
        ).json(),
      );
      if (answer.status !== 'ok') throw new Error('resync');
      return answer;
    };
    const asObjects = (changes: Change[]) =>
      changes.map((c) =>
        c.op === 'put' && c.entity === 'note'
          ? { ...c, data: { ...c.data, content: JSON.parse(c.data['content'] as string) as unknown } }
          : c,
      );
    expect(asObjects((await pullV2(null, 1000)).changes)).toEqual(whole.changes);
    const pagedV2: Change[] = [];
    for (let from: string | null = null; ;) {
      const page = await pullV2(from, 2);
      pagedV2.push(...page.changes);
      from = page.cursor;
      if (!page.hasMore) break;
    }
    expect(asObjects(pagedV2)).toEqual(whole.changes);
    expect(paged.filter((c) => c.op === 'put' && c.entity === 'note').map((c) => (c as { id: string }).id)).toEqual(
      ids,
    );
    // Nothing new: an ok page with no changes, the same cursor.
    const empty = await sync.pull(s, whole.cursor);
    expect(empty).toEqual({
      status: 'ok',
      changes: [],
      cursor: whole.cursor,
      hasMore: false,
      lastMutationId: ids.length,
    });
  });
  it('sends every field of a note the same in protocol 2 as in 1 after any write, and never loses a change', async () => {
    const user = await createUser(database.db);
    const supervisor = await createUser(database.db);
    const clientId = await createClient(database.db);
    await assign(database.db, user.id, clientId, 'caseload');
    const s = await sync.session(user.username);
    const noteId = randomUUID();
    await sync.push(s, {
      name: 'note.saveDraft',
      clientId,
      args: { noteId, content: awkwardContent, baseVersion: null },
    });
    // Every field of the record set at once, by SQL (as an operator or a migration would write it).
    const cosign = {
      required: true,
      status: 'pending',
      by: supervisor.id,
      at: '2026-04-02T08:00:00.250Z',
      comment: 'ok "so far"',
    };
    const sharing = { careTeam: true, at: '2026-04-03T12:00:00.000Z', by: user.id };
    await database.raw(
      `update notes set status = 'signed', content_hash = $2, signed_at = '2026-04-01 09:30:00.5+00', signed_by = author_id,
         cosign = $3::jsonb, sharing = $4::jsonb where id = $1`,
      [noteId, 'a'.repeat(64), JSON.stringify(cosign), JSON.stringify(sharing)],
    );
    const noteIn = async (protocolVersion: 1 | 2) => {
      const answer = pullResponseSchema.parse(
        await (
          await server.post(
            '/sync/pull',
            { protocolVersion, replicaId: s.replicaId, cursor: null, limit: 1000 },
            { authorization: `Bearer ${s.token}` },
          )
        ).json(),
      );
      if (answer.status !== 'ok') throw new Error('resync');
      return answer.changes.find((c): c is Extract<Change, { op: 'put' }> => c.op === 'put' && c.id === noteId);
    };
    const v1 = await noteIn(1);
    const v2 = await noteIn(2);
    expect(v1?.data).toMatchObject({
      status: 'signed',
      contentHash: 'a'.repeat(64),
      signedAt: '2026-04-01T09:30:00.500Z',
      signedBy: user.id,
      cosign,
      sharing,
      lastSaved: null,
      content: awkwardContent,
    });
    expect({ ...v2, data: { ...v2!.data, content: JSON.parse(v2!.data['content'] as string) as unknown } }).toEqual(v1);

    // Without the trigger that writes a row's pull text, the write is refused: a pull never
    // leaves a change out for want of it.
    await database.raw('alter table notes disable trigger notes_pull_json');
    try {
      await expect(
        database.raw(`insert into notes (id, client_id, author_id, content, version) values ($1, $2, $3, '{}', 1)`, [
          randomUUID(),
          clientId,
          user.id,
        ]),
      ).rejects.toThrow(/notes_pull_json_built/);
    } finally {
      await database.raw('alter table notes enable trigger notes_pull_json');
    }
  });
});
