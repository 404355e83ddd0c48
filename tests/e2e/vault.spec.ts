import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PASSPHRASE,
  accessibilityViolations,
  createPassphrase,
  expect,
  firstRun,
  signIn,
  startHarnessProcess,
  test,
  unlock,
} from './fixtures/harness';

const SCREENSHOTS = 'test-results/screenshots';

test('first run asks for a passphrase, explains the rules and refuses a short one', async ({
  page,
  harness,
  clinic,
}) => {
  await page.goto(harness.url);
  await signIn(page, clinic);
  await expect(page.getByRole('heading', { level: 2, name: 'Create your workstation passphrase' })).toBeVisible();
  await expect(page.getByText('At least 10 characters.')).toBeVisible();
  // Nothing of the caseload is reachable before the vault exists.
  await expect(page.getByRole('navigation', { name: 'Main navigation' })).toHaveCount(0);

  await page.getByLabel('Passphrase', { exact: true }).fill('short1');
  await expect(page.getByText(/^Strength: (very weak|weak)\./)).toBeVisible();
  await page.getByLabel('Confirm passphrase').fill('short1');
  await page.getByRole('button', { name: 'Create passphrase' }).click();
  await expect(page.getByRole('alert')).toHaveText('The passphrase needs at least 10 characters.');

  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Confirm passphrase').fill(`${PASSPHRASE}x`);
  await page.getByRole('button', { name: 'Create passphrase' }).click();
  await expect(page.getByRole('alert')).toHaveText('The two passphrases are not the same.');
  await page.getByLabel('Confirm passphrase').fill(PASSPHRASE);
  await expect(page.getByText(/^Strength: (good|strong)\./)).toBeVisible();
  expect(await accessibilityViolations(page)).toEqual([]);
  await page.screenshot({ path: `${SCREENSHOTS}/vault-create.png`, fullPage: true });

  await page.getByRole('button', { name: 'Create passphrase' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Today' })).toBeVisible();

  // The key file holds only wrapped key material: the passphrase is nowhere on disk.
  const profile = join(harness.dataDir, 'workstation');
  for (const name of readdirSync(profile)) {
    if (name === 'logs') continue;
    const bytes = readFileSync(join(profile, name));
    expect(bytes.includes(Buffer.from(PASSPHRASE)), `${name} contains the passphrase`).toBe(false);
  }
});

test('Lock closes the caseload; a wrong passphrase is refused in words; the right one opens it', async ({ app }) => {
  await app.getByRole('button', { name: 'Lock' }).click();
  await expect(app.getByRole('heading', { level: 2, name: 'Continuum is locked' })).toBeVisible();
  await expect(app.getByRole('navigation', { name: 'Main navigation' })).toHaveCount(0);

  await unlock(app, 'not my passphrase at all');
  await expect(app.getByRole('alert')).toContainText('That passphrase is not correct.');
  await expect(app.getByRole('alert')).toContainText('1 failed attempt.');
  await expect(app.getByLabel('Passphrase', { exact: true })).toHaveValue('');
  expect(await accessibilityViolations(app)).toEqual([]);
  await app.screenshot({ path: `${SCREENSHOTS}/vault-locked-wrong-passphrase.png`, fullPage: true });

  await unlock(app);
  await expect(app.getByRole('heading', { level: 2, name: 'Today' })).toBeVisible();
});

test('after five wrong passphrases the lock screen makes the clinician wait, and says how long', async ({ app }) => {
  await app.getByRole('button', { name: 'Lock' }).click();
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    await unlock(app, `wrong guess number ${attempt}`);
    await expect(app.getByRole('alert')).toContainText(`${attempt} failed attempt`);
  }
  await expect(app.getByText(/^Too many failed attempts\. You can try again in \d+ seconds\.$/)).toBeVisible();
  await expect(app.getByRole('button', { name: 'Unlock' })).toBeDisabled();
  await app.screenshot({ path: `${SCREENSHOTS}/vault-throttled.png`, fullPage: true });
});

test('the lock works from the command palette and by keyboard alone', async ({ app }) => {
  await app.keyboard.press('Control+K');
  await app.getByRole('textbox', { name: 'Search commands' }).fill('lock');
  await app.keyboard.press('Enter');
  await expect(app.getByRole('heading', { level: 2, name: 'Continuum is locked' })).toBeVisible();
  await expect(app.getByLabel('Passphrase', { exact: true })).toBeFocused();
  await app.keyboard.type(PASSPHRASE);
  await app.keyboard.press('Enter');
  await expect(app.getByRole('heading', { level: 2, name: 'Today' })).toBeVisible();
});

test('changing the passphrase: the new one opens the cache, the old one no longer does', async ({ app }) => {
  const next = 'copper meadow violin thirty';
  await app.getByRole('link', { name: 'Settings' }).click();
  await expect(app.getByRole('status').filter({ hasText: 'The local cache is encrypted' })).toBeVisible();
  await app.getByLabel('Current passphrase').fill(PASSPHRASE);
  await app.getByLabel('New passphrase', { exact: true }).fill(next);
  await app.getByLabel('Confirm new passphrase').fill(next);
  await app.getByRole('button', { name: 'Change passphrase' }).click();
  await expect(app.getByText('Passphrase changed.')).toBeVisible();

  await app.getByRole('button', { name: 'Lock' }).click();
  await unlock(app, PASSPHRASE);
  await expect(app.getByRole('alert')).toContainText('That passphrase is not correct.');
  await unlock(app, next);
  // Back where the clinician was.
  await expect(app.getByRole('heading', { level: 2, name: 'Settings' })).toBeVisible();
});

test('forgot passphrase: says what would be lost, erases only when confirmed, starts again', async ({
  app,
  clinic,
}) => {
  await app.getByRole('button', { name: 'Lock' }).click();
  await app.getByRole('button', { name: 'Forgot passphrase?' }).click();
  const dialog = app.getByRole('dialog', { name: 'Forgot your passphrase?' });
  // It says in words what erasing would lose (the lock's own audit entry may still be unsent).
  await expect(dialog).toContainText(/would be lost/);
  await dialog.getByRole('button', { name: 'Keep the cache' }).click();
  await expect(app.getByRole('heading', { level: 2, name: 'Continuum is locked' })).toBeVisible();

  await app.getByRole('button', { name: 'Forgot passphrase?' }).click();
  await app.getByRole('dialog').getByRole('button', { name: 'Erase the local cache' }).click();
  // The clinic server session was kept in the erased cache: sign in again, then a new passphrase.
  await expect(app.getByRole('heading', { level: 2, name: 'Sign in to your clinic server' })).toBeVisible();
  await signIn(app, clinic);
  await expect(app.getByRole('heading', { level: 2, name: 'Create your workstation passphrase' })).toBeVisible();
  await createPassphrase(app, 'a fresh start with new words');
  await expect(app.getByRole('heading', { level: 2, name: 'Today' })).toBeVisible();
});

test('after the configured idle time the workstation locks itself and says why', async ({ page, clinic }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'continuum-e2e-idle-'));
  const harness = await startHarnessProcess(dataDir, ['--auto-lock-seconds', '3']);
  try {
    await page.goto(harness.url);
    await firstRun(page, clinic);
    await expect(page.getByRole('heading', { level: 2, name: 'Today' })).toBeVisible();
    // No keyboard or mouse activity from here on.
    await expect(page.getByRole('heading', { level: 2, name: 'Continuum is locked' })).toBeVisible({ timeout: 15_000 });
    await expect(page.getByText('Continuum locked itself after a period without activity')).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOTS}/vault-auto-locked.png`, fullPage: true });
    await unlock(page);
    await expect(page.getByRole('heading', { level: 2, name: 'Today' })).toBeVisible();
  } finally {
    await harness.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
