import { describe, expect, it } from 'vitest';
import { projectNoteContent } from '../../src/core/sync/note-projection';
import { prepareChange, preparePullBody, toChange } from '../../src/core/sync/prepare-changes';
import { asciiJson } from '../../src/server/sync/ascii-json';
import type { Change } from '../../src/shared/sync/protocol';

/**
 * A pulled note before it is written: from protocol 2 on the server sends its content as JSON
 * text, which the workstation validates as an object and stores as received; a protocol-1 server
 * sends the object. Either way the row gets the same projection, and text that is not a JSON
 * object makes the note an invalid record (kept as pulled, never written).
 */
const NOTE_ID = '5b0f7c1e-6a53-4c4b-9c2a-2f1f3b7e9a10';
const CLIENT_ID = '0c6e1d3a-2b4f-4e8a-9c1d-7f3e5a2b8c90';
const AUTHOR_ID = 'b9d2a0f4-1d7e-4f57-8a55-0c7a8a0c6d11';

const content = {
  templateId: 'soap',
  templateVersion: 1,
  encounter: {
    modality: 'video',
    date: '2026-11-02',
    timeZone: 'America/Chicago',
    startTime: '09:00',
    endTime: '09:50',
  },
  sections: {
    S: { report: { type: 'text', value: 'Reports "three days" without use; sleep better.' } },
    A: { impression: { type: 'text', value: 'Engaged — craving 3/10.' } },
  },
};

const notePut = (noteContent: unknown): Change => ({
  op: 'put',
  entity: 'note',
  id: NOTE_ID,
  clientId: CLIENT_ID,
  version: 4,
  data: {
    id: NOTE_ID,
    clientId: CLIENT_ID,
    authorId: AUTHOR_ID,
    status: 'draft',
    content: noteContent,
    createdAt: '2026-11-02T15:00:00.000Z',
    updatedAt: '2026-11-02T16:00:00.000Z',
  },
});

describe('preparing a pulled note', () => {
  it('stores the JSON text the server sent (protocol 2) and projects the content it holds', () => {
    // Key order and spacing as PostgreSQL keeps them: stored exactly, not written out again.
    const text =
      `{"sections": {"S": {"report": {"type": "text", "value": "Reports \\"three days\\" without use; sleep better."}}, ` +
      `"A": {"impression": {"value": "Engaged — craving 3/10.", "type": "text"}}}, ` +
      `"encounter": ${JSON.stringify(content.encounter)}, "templateVersion": 1, "templateId": "soap"}`;
    const prepared = prepareChange(notePut(text));
    if (prepared.op !== 'put' || prepared.prepared !== 'note') throw new Error(`not a prepared note: ${prepared.op}`);
    expect(prepared.note.contentJson).toBe(text);
    expect(prepared.note.projection).toEqual(projectNoteContent(content));
    expect(prepared.note.projection).toMatchObject({
      modality: 'video',
      startedAt: '2026-11-02T15:00:00.000Z',
      bodyText: 'Reports "three days" without use; sleep better.\nEngaged — craving 3/10.',
    });
    expect(prepared.data).not.toHaveProperty('content');
    // Held back (a local change pending), it is the validated note with its content as an object.
    const held = toChange(prepared);
    expect(held).toMatchObject({
      op: 'put',
      entity: 'note',
      id: NOTE_ID,
      version: 4,
      data: { status: 'draft', content },
    });
  });

  it('prepares the same row from a protocol-1 answer (content as an object)', () => {
    const fromObject = prepareChange(notePut(content));
    const fromText = prepareChange(notePut(JSON.stringify(content)));
    expect(fromObject).toEqual(fromText);
    if (fromObject.op !== 'put' || fromObject.prepared !== 'note') throw new Error('not a prepared note');
    expect(JSON.parse(fromObject.note.contentJson)).toEqual(content);
  });

  it('refuses content text that is not a JSON object, keeping the change as pulled', () => {
    for (const bad of ['{"sections": {"S": "cut off', '[1, 2]', '"just a string"', 'null', '', 42, null]) {
      const prepared = prepareChange(notePut(bad));
      expect(prepared, JSON.stringify(bad)).toMatchObject({ op: 'put', prepared: 'skip', reason: 'INVALID_RECORD' });
      if (prepared.op === 'put' && prepared.prepared === 'skip') expect(prepared.data['content']).toBe(bad);
      else throw new Error('not skipped');
    }
  });

  it('reads an answer sent in ASCII (characters beyond it escaped) as the same text as one sent in UTF-8', () => {
    // What an older server sends (UTF-8 as written) and what this one sends (src/server/sync/ascii-json.ts).
    const text = JSON.stringify({ ...content, sections: { S: { r: { type: 'text', value: 'Señora “García” 🌱' } } } });
    const answer = JSON.stringify({
      status: 'ok',
      changes: [notePut(text)],
      cursor: 'c1',
      hasMore: false,
      lastMutationId: 0,
    });
    const utf8 = new TextEncoder().encode(answer);
    const ascii = asciiJson(utf8);
    expect(ascii.every((byte) => byte < 0x80)).toBe(true);
    const fromUtf8 = preparePullBody(utf8);
    expect(preparePullBody(ascii)).toEqual(fromUtf8);
    if (fromUtf8?.status !== 'ok') throw new Error('not an ok page');
    const [note] = fromUtf8.changes;
    if (note?.op !== 'put' || note.prepared !== 'note') throw new Error('not a prepared note');
    expect(note.note.contentJson).toBe(text);
    expect(note.note.projection.bodyText).toBe('Señora “García” 🌱');
    // Not JSON at all: null, whatever its bytes.
    expect(preparePullBody(new TextEncoder().encode('{"status":'))).toBeNull();
    expect(preparePullBody(new Uint8Array([0x7b, 0xff, 0x7d]))).toBeNull();
  });
});
