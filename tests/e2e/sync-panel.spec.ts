import { mkdirSync } from 'node:fs';
import { parseCommand } from '../../src/server/admin/commands';
import { openDatabase } from '../../src/server/db/database';
import { createUser, PASSWORD, startTestServer } from '../server/helpers/fixtures';
import { accessibilityViolations, createPassphrase, expect, signIn, test } from './fixtures/harness';

/** The header badge and the sync panel on a workstation signed in to the demo clinic. */
const SCREENSHOTS = 'test-results/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

test('the badge says Synced; the panel opens by keyboard, syncs now and lists what is waiting or refused', async ({
  app,
}) => {
  const status = app.getByRole('status', { name: 'Sync status' });
  await expect(status).toHaveText('Synced', { timeout: 30_000 });
  const badge = app.getByRole('button', { name: 'Synced. Open the sync panel' });
  await badge.focus();
  await app.keyboard.press('Enter');
  const panel = app.getByRole('dialog', { name: 'Sync with the clinic server' });
  await expect(panel).toBeVisible();
  await expect(panel.getByText(/^Last synced .+\.$/)).toBeVisible();
  await expect(panel.getByRole('heading', { level: 3, name: 'Refused by the clinic server' })).toBeVisible();
  await expect(panel.getByText('No refused changes.')).toBeVisible();
  await expect(panel.getByRole('heading', { level: 3, name: 'Conflicts to resolve' })).toBeVisible();
  await expect(panel.getByRole('heading', { level: 3, name: 'Waiting to be sent' })).toBeVisible();

  await panel.getByRole('button', { name: 'Sync now' }).click();
  await expect(panel.getByRole('button', { name: 'Sync now' })).toBeEnabled();
  await expect(status).toHaveText('Synced');
  await expect(panel.getByText(/^Last synced (now|\d+ seconds? ago|1 minute ago)\.$/)).toBeVisible();
  expect(await accessibilityViolations(app)).toEqual([]);
  await app.screenshot({ path: `${SCREENSHOTS}/sync-panel.png` });

  // Escape closes it and gives focus back to the badge.
  await app.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(badge).toBeFocused();

  await app.emulateMedia({ colorScheme: 'dark' });
  await badge.click();
  await expect(panel).toBeVisible();
  expect(await accessibilityViolations(app)).toEqual([]);
  await app.screenshot({ path: `${SCREENSHOTS}/sync-panel-dark.png` });
});

test('a wrong clock is reported in words, changes wait instead of being refused, and an empty caseload says so', async ({
  page,
  harness,
}) => {
  // A clinic server of its own, with a clinician who has no clients yet, whose clock runs two
  // minutes behind this computer's.
  const database = await openDatabase({ memory: true });
  const server = await startTestServer(database.db);
  try {
    const user = await createUser(database.db);
    server.advance(-120_000);
    await page.goto(harness.url);
    await signIn(page, { url: server.url, password: PASSWORD }, user.username);
    await createPassphrase(page);
    await expect(page.getByRole('heading', { level: 2, name: 'Today' })).toBeVisible();

    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Caseload' }).click();
    await expect(page.getByText('No clients are on your caseload or care teams.')).toBeVisible({ timeout: 30_000 });

    await page.getByRole('button', { name: /Open the sync panel$/ }).click();
    const panel = page.getByRole('dialog', { name: 'Sync with the clinic server' });
    await panel.getByRole('button', { name: 'Sync now' }).click();
    await expect(
      panel.getByText(/^This computer's clock is 1[12]\d seconds ahead of the clinic server's\.$/),
    ).toBeVisible({
      timeout: 20_000,
    });
    await expect(panel.getByText('Changes made here wait until the clocks agree.', { exact: false })).toBeVisible();
    // Nothing is sent to be refused: what was done here waits, listed, and nothing is lost.
    await expect(panel.getByRole('region', { name: /^Waiting to be sent/ })).not.toContainText('Nothing is waiting');
    await expect(
      panel.getByRole('region', { name: 'Refused by the clinic server' }).getByText('No refused changes.'),
    ).toBeVisible();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}/sync-panel-clock.png` });
  } finally {
    await server.close().catch(() => undefined);
    await database.close();
  }
});

test('when the clinic server goes away the badge and the panel say Offline', async ({ page, harness }) => {
  const database = await openDatabase({ memory: true });
  const server = await startTestServer(database.db);
  try {
    const user = await createUser(database.db);
    await page.goto(harness.url);
    await signIn(page, { url: server.url, password: PASSWORD }, user.username);
    await createPassphrase(page);
    const status = page.getByRole('status', { name: 'Sync status' });
    await expect(status).toHaveText('Synced', { timeout: 30_000 });

    await server.close();
    await page.getByRole('button', { name: 'Synced. Open the sync panel' }).click();
    const panel = page.getByRole('dialog', { name: 'Sync with the clinic server' });
    await panel.getByRole('button', { name: 'Sync now' }).click();
    await expect(status).toHaveText('Offline', { timeout: 20_000 });
    await expect(panel.getByText('Offline', { exact: true })).toBeVisible();
    await expect(panel.getByText('Your work is kept on this computer', { exact: false })).toBeVisible();
    await expect(panel.getByText(/^Last synced .+\.$/)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Offline. Open the sync panel' })).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOTS}/sync-panel-offline.png` });
  } finally {
    await server.close().catch(() => undefined);
    await database.close();
  }
});

test('after the clinic restores its server from a backup, the badge points to the panel, which says so in words until the clinician dismisses it', async ({
  app,
  clinic,
}) => {
  const status = app.getByRole('status', { name: 'Sync status' });
  await expect(status).toHaveText('Synced', { timeout: 30_000 });
  // The clinic's administrator has put back a backup of the database and says so
  // (`npm run admin -- restored`): every cursor the server gave before is unknown to it now.
  const command = parseCommand(['restored']);
  await command.spec.run(clinic.server.database.db, command.options, {
    stdout: () => undefined,
    stderr: () => undefined,
    readStdin: () => Promise.resolve(''),
  });

  // The poke brings the workstation to pull; the server does not know its cursor any more. Every
  // record is taken again, and the header badge says one thing waits in the panel.
  await expect(status).toHaveText('Synced · 1 to review', { timeout: 60_000 });
  await app.locator('header').screenshot({ path: `${SCREENSHOTS}/sync-badge-to-review.png` });
  await app.getByRole('button', { name: 'Synced · 1 to review. Open the sync panel' }).click();
  const panel = app.getByRole('dialog', { name: 'Sync with the clinic server' });
  const notice = panel.getByRole('status').filter({ hasText: 'The clinic server was restored from a backup' });
  await expect(notice).toBeVisible();
  await expect(notice).toContainText(/^.*Noticed (now|\d+ seconds? ago)\. The clinic server went back/);
  await expect(notice).toContainText('It had lost none of the changes made here.');
  await expect(panel.getByText('No conflicts.')).toBeVisible();
  expect(await accessibilityViolations(app)).toEqual([]);
  await app.screenshot({ path: `${SCREENSHOTS}/sync-panel-server-restored.png` });

  const dismiss = notice.getByRole('button', { name: 'Dismiss the notice about the restored clinic server' });
  await dismiss.focus();
  await app.keyboard.press('Enter');
  await expect(notice).toBeHidden();
  await expect(status).toHaveText('Synced');
  // Read once is enough: the next sync does not bring it back.
  await panel.getByRole('button', { name: 'Sync now' }).click();
  await expect(panel.getByRole('button', { name: 'Sync now' })).toBeEnabled();
  await expect(panel.getByText('The clinic server was restored from a backup')).toHaveCount(0);
  await app.keyboard.press('Escape');
  await app.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Caseload' }).click();
  await expect(app.getByRole('heading', { level: 2, name: 'Caseload' })).toBeVisible();
});
