import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuditLog, verifyAuditChain } from '../../../src/core/audit/audit-log';
import { openWorkstationStore, type WorkstationStore } from '../../../src/core/store/workstation-store';
import { unavailableKeychain } from '../../../src/core/vault/keychain';
import { tempDir } from '../../helpers/temp-dir';
import { FAST_SCRYPT, MIGRATIONS_DIR } from '../store/seed';

async function storeWithEntries(count: number): Promise<WorkstationStore> {
  const store = await openWorkstationStore({
    profileDir: tempDir(),
    migrationsDir: MIGRATIONS_DIR,
    keychain: unavailableKeychain(),
    scrypt: FAST_SCRYPT,
  });
  await store.vault.create('audit test passphrase');
  for (let i = 0; i < count; i += 1) {
    store.audit.append({
      action: 'chart.opened',
      recordType: 'client',
      recordId: randomUUID(),
      clientId: randomUUID(),
      detail: { n: i },
    });
  }
  return store;
}

/** Tampering that bypasses the append-only triggers (as an attacker with the key could). */
function withoutGuards(store: WorkstationStore, tamper: () => void): void {
  const s = store.sqlite;
  s.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  tamper();
}

describe('hash-chained audit log', () => {
  it('chains entries and verifies; records vault events with codes only', async () => {
    const store = await storeWithEntries(5);
    const result = store.audit.verify();
    expect(result).toMatchObject({ ok: true, entries: 7 });
    const [newest, previous] = store.audit.recent(2);
    expect(newest?.prevHash).toBe(previous?.hash);
    expect(store.audit.recent(10).at(-1)?.action).toBe('vault.created');
    store.close();
  });

  it('the database refuses UPDATE and DELETE on the log', async () => {
    const store = await storeWithEntries(2);
    expect(() => store.sqlite.exec("UPDATE audit_log SET action = 'x' WHERE seq = 1")).toThrow(/append-only/);
    expect(() => store.sqlite.exec('DELETE FROM audit_log WHERE seq = 1')).toThrow(/append-only/);
    // Stamping the sync acknowledgement is the one allowed change.
    store.sqlite.exec("UPDATE audit_log SET synced_at = '2026-03-01T00:00:00Z' WHERE seq = 1");
    expect(store.audit.verify().ok).toBe(true);
    store.close();
  });

  it('detects a modified entry', async () => {
    const store = await storeWithEntries(5);
    withoutGuards(store, () => store.sqlite.exec(`UPDATE audit_log SET detail = '{"n":99}' WHERE seq = 4`));
    expect(verifyAuditChain(store.sqlite)).toMatchObject({ ok: false, brokenAtSeq: 4, reason: 'hash_mismatch' });
    store.close();
  });

  it('detects a modified entry whose hash was recomputed (the next link breaks)', async () => {
    const store = await storeWithEntries(5);
    const { hashEntry } = await import('../../../src/core/audit/audit-log');
    const entry = store.audit.recent(10).find((e) => e.seq === 3)!;
    const forged = { ...entry, action: 'chart.closed' };
    const { hash: _old, ...rest } = forged;
    withoutGuards(store, () =>
      store.sqlite
        .prepare('UPDATE audit_log SET action = ?, hash = ? WHERE seq = 3')
        .run(forged.action, hashEntry(rest)),
    );
    expect(verifyAuditChain(store.sqlite)).toMatchObject({ ok: false, brokenAtSeq: 4, reason: 'chain_break' });
    store.close();
  });

  it('detects a deleted entry', async () => {
    const store = await storeWithEntries(5);
    withoutGuards(store, () => store.sqlite.exec('DELETE FROM audit_log WHERE seq = 3'));
    expect(verifyAuditChain(store.sqlite)).toMatchObject({ ok: false, brokenAtSeq: 4, reason: 'sequence_gap' });
    store.close();
  });

  it('detects a deleted entry with the following ones renumbered', async () => {
    const store = await storeWithEntries(5);
    withoutGuards(store, () => {
      store.sqlite.exec('DELETE FROM audit_log WHERE seq = 3');
      for (let seq = 4; seq <= 7; seq += 1)
        store.sqlite.prepare('UPDATE audit_log SET seq = ? WHERE seq = ?').run(seq - 1, seq);
    });
    expect(verifyAuditChain(store.sqlite).ok).toBe(false);
    store.close();
  });

  it('detects removal of the newest entries', async () => {
    const store = await storeWithEntries(5);
    withoutGuards(store, () => store.sqlite.exec('DELETE FROM audit_log WHERE seq >= 6'));
    expect(verifyAuditChain(store.sqlite)).toMatchObject({ ok: false, reason: 'tail_removed' });
    store.close();
  });

  it('detects reordered entries', async () => {
    const store = await storeWithEntries(5);
    withoutGuards(store, () => {
      const s = store.sqlite;
      s.exec('UPDATE audit_log SET seq = 1000 WHERE seq = 3');
      s.exec('UPDATE audit_log SET seq = 3 WHERE seq = 4');
      s.exec('UPDATE audit_log SET seq = 4 WHERE seq = 1000');
    });
    expect(verifyAuditChain(store.sqlite)).toMatchObject({ ok: false, brokenAtSeq: 3, reason: 'chain_break' });
    store.close();
  });

  it('refuses free text in entry details (codes and ids only)', async () => {
    const store = await storeWithEntries(0);
    const log = new AuditLog(store.sqlite);
    expect(() =>
      log.append({
        action: 'note.signed',
        detail: { text: 'Client reported drinking again after the funeral last week' },
      }),
    ).toThrow(/codes and ids/);
    store.close();
  });
});
