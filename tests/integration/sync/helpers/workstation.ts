import { randomUUID } from 'node:crypto';
import type { CoreOptions } from '../../../../src/core/core';
import type { SyncTuning } from '../../../../src/core/sync/sync-engine';
import type { SessionStatus } from '../../../../src/shared/session/session';
import { contentHash } from '../../../../src/shared/notes/canonical';
import { richTextFromParagraphs } from '../../../../src/shared/notes/content';
import type { SyncStatus } from '../../../../src/shared/sync/status';
import { waitFor } from '../../../helpers/async';
import { startTestCore, type RunningCore } from '../../../helpers/core';
import { tempDir } from '../../../helpers/temp-dir';
import { PASSWORD } from '../../../server/helpers/fixtures';

export const PASSPHRASE = 'a long workstation passphrase for sync tests';

/** Short timings so a test does not wait a minute for the timer or the backoff. */
export const FAST_SYNC: SyncTuning = {
  intervalMs: 60_000,
  localChangeDelayMs: 50,
  backoff: { baseMs: 50, maxMs: 400 },
  eventsBackoff: { baseMs: 50, maxMs: 400 },
};

/** A synthetic SOAP note body with one paragraph of subjective text. */
export function soapContent(text: string): Record<string, unknown> {
  return {
    templateId: 'soap',
    templateVersion: 1,
    encounter: {
      date: '2026-03-02',
      startTime: '10:00',
      endTime: '10:50',
      timeZone: 'America/Chicago',
      modality: 'video',
    },
    sections: { subjective: { subjective: { type: 'richText', doc: richTextFromParagraphs([text]) } } },
  };
}

export interface Workstation {
  running: RunningCore;
  profile: string;
  dataChanged: Array<{ clientIds: string[]; all: boolean }>;
  sessions: SessionStatus[];
  statuses: SyncStatus[];
  /** First run: sign in, then create the passphrase; resolves once the first sync has ended. */
  setUp(serverUrl: string, username: string): Promise<void>;
  waitForStatus(predicate: (status: SyncStatus) => boolean, timeoutMs?: number): Promise<SyncStatus>;
  /** A draft saved locally and queued, as the note editor does. Returns the note id. */
  saveDraft(clientId: string, text: string, noteId?: string): string;
  /** Sign a draft locally and queue the signature. */
  sign(noteId: string): void;
  rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
  value<T = unknown>(sql: string, ...params: unknown[]): T;
  stop(): Promise<void>;
}

/** Resolves once nothing is waiting in the workstation's outbox (everything pushed and answered). */
export const synced = (ws: Workstation, timeoutMs = 15_000): Promise<void> =>
  waitFor(() => ws.running.core.sync.status().pending === 0, timeoutMs);

export function startWorkstation(options: Partial<CoreOptions> & { profile?: string } = {}): Workstation {
  const profile = options.profile ?? tempDir('continuum-sync-');
  const { profile: _profile, ...coreOptions } = options;
  const running = startTestCore(profile, {
    deviceName: 'Sync test laptop',
    ...coreOptions,
    sync: { ...FAST_SYNC, ...coreOptions.sync },
  });
  const dataChanged: Workstation['dataChanged'] = [];
  const sessions: SessionStatus[] = [];
  const statuses: SyncStatus[] = [];
  running.client.subscribe('sync.dataChanged', (payload) => dataChanged.push(payload));
  running.client.subscribe('session.changed', (payload) => sessions.push(payload));
  running.client.subscribe('sync.statusChanged', (payload) => statuses.push(payload));
  const store = () => running.core.vault.unlockedStore;
  const me = () => {
    const id = running.core.session.userId();
    if (!id) throw new Error('not signed in');
    return id;
  };

  const workstation: Workstation = {
    running,
    profile,
    dataChanged,
    sessions,
    statuses,
    async setUp(serverUrl, username) {
      const signedIn = await running.client.call('session.signIn', { serverUrl, username, password: PASSWORD });
      if (signedIn.state !== 'pendingPassphrase') throw new Error(`expected pendingPassphrase, got ${signedIn.state}`);
      await running.client.call('vault.create', { passphrase: PASSPHRASE });
      await workstation.waitForStatus((status) => status.state === 'synced');
    },
    async waitForStatus(predicate, timeoutMs = 10_000) {
      let last: SyncStatus | undefined;
      await waitFor(() => {
        last = running.core.sync.status();
        return predicate(last);
      }, timeoutMs).catch(() => {
        throw new Error(`sync status never matched; last: ${JSON.stringify(last)}`);
      });
      return last!;
    },
    saveDraft(clientId, text, noteId = randomUUID()) {
      const content = soapContent(text);
      running.core.sync.record((db, outbox) => {
        const sqlite = db.$client;
        const existing = sqlite.prepare('SELECT server_version FROM session_notes WHERE id = ?').get(noteId) as
          { server_version: string | null } | undefined;
        const now = new Date().toISOString();
        sqlite
          .prepare(
            `INSERT INTO session_notes (id, client_id, author_id, note_type, template, status, content, draft_revision, created_at, updated_at)
             VALUES (?, ?, ?, 'progress', 'SOAP', 'draft', ?, 1, ?, ?)
             ON CONFLICT(id) DO UPDATE SET content = excluded.content,
               draft_revision = draft_revision + 1, updated_at = excluded.updated_at`,
          )
          .run(noteId, clientId, me(), JSON.stringify(content), now, now);
        outbox.enqueue({
          name: 'note.saveDraft',
          clientId,
          args: {
            noteId,
            content,
            baseVersion: existing?.server_version ? Number(existing.server_version) : null,
          },
        });
      });
      return noteId;
    },
    sign(noteId) {
      running.core.sync.record((db, outbox) => {
        const sqlite = db.$client;
        const note = sqlite.prepare('SELECT client_id, content FROM session_notes WHERE id = ?').get(noteId) as {
          client_id: string;
          content: string;
        };
        const hash = contentHash(JSON.parse(note.content));
        const signedAt = new Date().toISOString();
        sqlite
          .prepare(
            "UPDATE session_notes SET status = 'signed', content_hash = ?, signed_at = ?, signed_by = ? WHERE id = ?",
          )
          .run(hash, signedAt, me(), noteId);
        outbox.enqueue({ name: 'note.sign', clientId: note.client_id, args: { noteId, contentHash: hash, signedAt } });
      });
    },
    rows: (sql, ...params) =>
      store()
        .sqlite.prepare(sql)
        .all(...params) as never,
    value: (sql, ...params) =>
      store()
        .sqlite.prepare(sql)
        .pluck()
        .get(...params) as never,
    stop: () => running.stop(),
  };
  return workstation;
}
