import { mkdirSync } from 'node:fs';
import { accessibilityViolations, expect, test } from './fixtures/harness';

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
