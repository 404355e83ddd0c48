/**
 * Key vault against a real Secret Service (gnome-keyring through keytar). Run inside
 *   dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run tests/integration/vault'
 * Without a Secret Service these tests FAIL (they are not skipped): the first one says why.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import keytar from 'keytar';
import {
  KeychainEntryMissingError,
  KeychainUnavailableError,
  KeyFileCorruptError,
  KeyFileVersionError,
  PassphraseTooWeakError,
  UnlockThrottledError,
  WrongPassphraseError,
} from '../../../src/core/store/errors';
import { openWorkstationStore } from '../../../src/core/store/workstation-store';
import { keytarKeychain, unavailableKeychain, type KeychainAdapter } from '../../../src/core/vault/keychain';
import { FREE_ATTEMPTS, KeyVault, throttleDelayMs } from '../../../src/core/vault/key-vault';
import { tempDir } from '../../helpers/temp-dir';
import { FAST_SCRYPT, MIGRATIONS_DIR, seedClient, seedClinician } from '../store/seed';
import { clients } from '../../../src/core/store/schema';

const PASS = 'a long enough passphrase';
const NEW_PASS = 'another long passphrase 2';

/** A unique keytar service per test; its entries are removed afterwards. */
function uniqueService(): string {
  const service = `continuum-test-${randomUUID()}`;
  onTestFinished(async () => {
    for (const { account } of await keytar.findCredentials(service).catch(() => []))
      await keytar.deletePassword(service, account);
  });
  return service;
}

function vault(
  dir: string,
  options: { keychain?: KeychainAdapter; service?: string; now?: () => number } = {},
): KeyVault {
  return new KeyVault({
    dir,
    keychain: options.keychain ?? keytarKeychain(),
    keychainService: options.service ?? uniqueService(),
    scrypt: FAST_SCRYPT,
    ...(options.now ? { now: options.now } : {}),
  });
}

describe('key vault with the OS keychain', () => {
  it('a Secret Service is available in this session (run the suite inside dbus-run-session + gnome-keyring)', async () => {
    expect(await keytarKeychain().probe(uniqueService())).toBe('available');
  });

  it('creates with passphrase + device secret; unlocks only with the right passphrase', async () => {
    const dir = tempDir();
    const service = uniqueService();
    const v = vault(dir, { service });
    const created = await v.create(PASS);
    expect(created.protection).toBe('passphrase+device');
    expect(created.key).toHaveLength(32);
    const entry = v.keychainEntry();
    expect(entry?.service).toBe(service);
    expect(await keytar.getPassword(service, entry!.account)).toMatch(/^[A-Za-z0-9+/]{43}=$/);

    const unlocked = await v.unlock(PASS);
    expect(unlocked.key.equals(created.key)).toBe(true);
    const error = await v.unlock('not the passphrase').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongPassphraseError);
    expect(error).toMatchObject({ code: 'WRONG_PASSPHRASE', failedAttempts: 1 });
    // Key file: format version, KDF parameters, nothing secret in clear.
    const file = JSON.parse(readFileSync(v.keyFile, 'utf8')) as Record<string, unknown>;
    expect(file).toMatchObject({
      format: 'continuum.vault',
      version: 1,
      kdf: { name: 'scrypt', N: FAST_SCRYPT.N, r: 8, p: 1 },
    });
    expect(readFileSync(v.keyFile).includes(created.key)).toBe(false);
    expect(readFileSync(v.keyFile, 'utf8')).not.toContain(created.key.toString('base64'));
  });

  it('the correct passphrase with the keychain entry removed fails with KeychainEntryMissingError', async () => {
    const dir = tempDir();
    const v = vault(dir);
    await v.create(PASS);
    const entry = v.keychainEntry()!;
    expect(await keytar.deletePassword(entry.service, entry.account)).toBe(true);
    const error = await v.unlock(PASS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeychainEntryMissingError);
    expect(error).toMatchObject({ code: 'KEYCHAIN_ENTRY_MISSING' });
    // Not counted as a failed passphrase attempt.
    expect(v.info().failedAttempts).toBe(0);
  });

  it('a keychain-protected vault on a session without keychain fails with KeychainUnavailableError', async () => {
    const dir = tempDir();
    const service = uniqueService();
    await vault(dir, { service }).create(PASS);
    const error = await vault(dir, { service, keychain: unavailableKeychain() })
      .unlock(PASS)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeychainUnavailableError);
  });

  it('the device secret alone is not enough: a copy of the key file with another keychain entry fails', async () => {
    const a = tempDir();
    const b = tempDir();
    const service = uniqueService();
    const va = vault(a, { service });
    await va.create(PASS);
    const vb = vault(b, { service });
    await vb.create(PASS);
    // Swap b's keychain secret into a's entry: same passphrase, wrong device secret.
    const secretB = await keytar.getPassword(service, vb.keychainEntry()!.account);
    await keytar.setPassword(service, va.keychainEntry()!.account, secretB!);
    await expect(va.unlock(PASS)).rejects.toBeInstanceOf(WrongPassphraseError);
  });

  it('changes the passphrase by re-wrapping the same key', async () => {
    const dir = tempDir();
    const v = vault(dir);
    const { key } = await v.create(PASS);
    const before = readFileSync(v.keyFile, 'utf8');
    await expect(v.changePassphrase('wrong passphrase!', NEW_PASS)).rejects.toBeInstanceOf(WrongPassphraseError);
    await expect(v.changePassphrase(PASS, 'short')).rejects.toBeInstanceOf(PassphraseTooWeakError);
    expect((await v.changePassphrase(PASS, NEW_PASS)).protection).toBe('passphrase+device');
    expect(readFileSync(v.keyFile, 'utf8')).not.toBe(before);
    await expect(v.unlock(PASS)).rejects.toBeInstanceOf(WrongPassphraseError);
    expect((await v.unlock(NEW_PASS)).key.equals(key)).toBe(true);
  });

  it('persists failed attempts and delays after 5, across restarts; success resets', async () => {
    const dir = tempDir();
    const service = uniqueService();
    let now = Date.parse('2026-03-01T09:00:00Z');
    const clock = () => now;
    await vault(dir, { service, now: clock }).create(PASS);
    for (let i = 1; i <= FREE_ATTEMPTS; i += 1) {
      // A fresh instance each time: the counter lives on disk, not in memory.
      await expect(vault(dir, { service, now: clock }).unlock(`wrong passphrase ${i}`)).rejects.toBeInstanceOf(
        WrongPassphraseError,
      );
    }
    const throttled = await vault(dir, { service, now: clock })
      .unlock(PASS)
      .catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(UnlockThrottledError);
    expect((throttled as UnlockThrottledError).retryAfterMs).toBe(throttleDelayMs(5));
    now += throttleDelayMs(5);
    await expect(vault(dir, { service, now: clock }).unlock('wrong again!!')).rejects.toBeInstanceOf(
      WrongPassphraseError,
    );
    expect(vault(dir, { service, now: clock }).info().retryAfterMs).toBe(throttleDelayMs(6));
    expect(throttleDelayMs(6)).toBeGreaterThan(throttleDelayMs(5));
    now += throttleDelayMs(6);
    const ok = await vault(dir, { service, now: clock }).unlock(PASS);
    expect(ok.failedAttemptsBefore).toBe(6);
    expect(vault(dir, { service, now: clock }).info()).toMatchObject({ failedAttempts: 0, retryAfterMs: 0 });
  });

  it('a truncated, garbled or future-version key file is a typed error and is left as it is', async () => {
    const dir = tempDir();
    const v = vault(dir);
    await v.create(PASS);
    const original = readFileSync(v.keyFile);

    writeFileSync(v.keyFile, original.subarray(0, Math.floor(original.length / 2)));
    await expect(v.unlock(PASS)).rejects.toBeInstanceOf(KeyFileCorruptError);
    expect(readFileSync(v.keyFile).length).toBe(Math.floor(original.length / 2));

    writeFileSync(v.keyFile, '');
    await expect(v.unlock(PASS)).rejects.toMatchObject({ code: 'KEY_FILE_CORRUPT' });

    const parsed = JSON.parse(original.toString('utf8')) as Record<string, unknown> & { wrap: Record<string, string> };
    writeFileSync(v.keyFile, JSON.stringify({ ...parsed, wrap: { ...parsed.wrap, ciphertext: 'AAAA' } }));
    await expect(v.unlock(PASS)).rejects.toBeInstanceOf(KeyFileCorruptError);

    writeFileSync(v.keyFile, JSON.stringify({ ...parsed, version: 2 }));
    await expect(v.unlock(PASS)).rejects.toBeInstanceOf(KeyFileVersionError);

    // Downgrading the protection in the header breaks the GCM tag (the header is AAD).
    writeFileSync(v.keyFile, JSON.stringify({ ...parsed, kdf: { ...(parsed.kdf as object), p: 2 } }));
    await expect(v.unlock(PASS)).rejects.toBeInstanceOf(WrongPassphraseError);

    writeFileSync(v.keyFile, original);
    expect((await v.unlock(PASS)).key).toHaveLength(32);
  });

  it('refuses a passphrase under 10 characters', async () => {
    await expect(vault(tempDir()).create('short9char')).resolves.toBeDefined();
    await expect(vault(tempDir()).create('9 chars!!')).rejects.toBeInstanceOf(PassphraseTooWeakError);
  });

  it('uses memory-hard default KDF parameters when none are given', async () => {
    const dir = tempDir();
    const v = new KeyVault({ dir, keychain: keytarKeychain(), keychainService: uniqueService() });
    await v.create(PASS);
    const file = JSON.parse(readFileSync(v.keyFile, 'utf8')) as { kdf: { N: number; r: number } };
    expect(file.kdf.N * file.kdf.r * 128).toBeGreaterThanOrEqual(128 * 1024 * 1024);
    expect((await v.unlock(PASS)).key).toHaveLength(32);
  });
});

describe('passphrase-only fallback (no keychain on this machine)', () => {
  it('creates, unlocks and says plainly that only the passphrase protects the cache', async () => {
    const dir = tempDir();
    const store = await openWorkstationStore({
      profileDir: dir,
      migrationsDir: MIGRATIONS_DIR,
      keychain: unavailableKeychain(),
      scrypt: FAST_SCRYPT,
    });
    expect(await store.vault.status()).toMatchObject({
      state: 'uninitialised',
      keychain: 'unavailable',
      protection: null,
    });
    expect(await store.vault.create(PASS)).toMatchObject({
      state: 'unlocked',
      protection: 'passphrase',
      keychain: 'unavailable',
    });
    store.vault.lock();
    await expect(store.vault.unlock('wrong passphrase')).rejects.toBeInstanceOf(WrongPassphraseError);
    expect(await store.vault.unlock(PASS)).toMatchObject({ state: 'unlocked', protection: 'passphrase' });
    store.close();
  });

  it('upgrades to passphrase + device secret on a passphrase change once a keychain exists', async () => {
    const dir = tempDir();
    const service = uniqueService();
    await vault(dir, { keychain: unavailableKeychain(), service }).create(PASS);
    const upgraded = await vault(dir, { service }).changePassphrase(PASS, NEW_PASS);
    expect(upgraded.protection).toBe('passphrase+device');
    expect((await vault(dir, { service }).unlock(NEW_PASS)).protection).toBe('passphrase+device');
  });
});

describe('workstation store with the real keychain', () => {
  it('create → lock → unlock → change passphrase → unlock; the database is not rewritten', async () => {
    const dir = tempDir();
    const service = uniqueService();
    const options = { profileDir: dir, migrationsDir: MIGRATIONS_DIR, keychainService: service, scrypt: FAST_SCRYPT };
    const store = await openWorkstationStore(options);
    expect(await store.vault.create(PASS)).toMatchObject({
      state: 'unlocked',
      protection: 'passphrase+device',
      keychain: 'available',
    });
    const clinicianId = seedClinician(store.db);
    seedClient(store.db, { givenName: 'Ana', familyName: 'Ruiz', clinicianId });
    store.vault.lock();
    expect(() => store.db).toThrow(/locked/);
    const dbBefore = readFileSync(store.paths.database);

    await store.vault.changePassphrase(PASS, NEW_PASS);
    expect(readFileSync(store.paths.database).equals(dbBefore)).toBe(true);
    await expect(store.vault.unlock(PASS)).rejects.toBeInstanceOf(WrongPassphraseError);
    await store.vault.unlock(NEW_PASS);
    expect(store.db.select().from(clients).all()).toHaveLength(1);
    const actions = store.audit
      .recent(10)
      .map((e) => e.action)
      .reverse();
    expect(actions).toEqual([
      'vault.created',
      'vault.unlocked',
      'vault.locked',
      'vault.unlock_failed',
      'vault.unlocked',
    ]);
    expect(store.audit.verify().ok).toBe(true);
    store.close();

    // Keychain entry vanishes: the store reports the specific error and deletes nothing.
    const entry = (await keytar.findCredentials(service))[0]!;
    await keytar.deletePassword(service, entry.account);
    const again = await openWorkstationStore(options);
    await expect(again.vault.unlock(NEW_PASS)).rejects.toBeInstanceOf(KeychainEntryMissingError);
    expect(readFileSync(again.paths.database).equals(readFileSync(store.paths.database))).toBe(true);
    expect((await again.vault.status()).state).toBe('locked');
    again.close();
  });

  it('erase (forgot passphrase) removes the cache, the key file and the keychain entry', async () => {
    const dir = tempDir();
    const service = uniqueService();
    const store = await openWorkstationStore({
      profileDir: dir,
      migrationsDir: MIGRATIONS_DIR,
      keychainService: service,
      scrypt: FAST_SCRYPT,
    });
    await store.vault.create(PASS);
    store.vault.lock();
    await store.vault.erase();
    expect(await keytar.findCredentials(service)).toEqual([]);
    expect(await store.vault.status()).toMatchObject({ state: 'uninitialised', protection: null });
    await store.vault.create(NEW_PASS);
    store.close();
  });
});
