import { expect, firstRun, test } from './fixtures/harness';

test('without the token the page cannot reach the core', async ({ page, harness }) => {
  const origin = new URL(harness.url).origin;
  await page.goto(`${origin}/`);
  await expect(page.getByRole('alert')).toContainText('The connection to the workstation core was lost');
});

test('when the core goes away the clinician is told, in words', async ({ page, harness, clinic }) => {
  await page.goto(harness.url);
  await firstRun(page, clinic);
  await expect(page.getByRole('heading', { level: 2, name: 'Today' })).toBeVisible();
  await harness.stop();
  await expect(page.getByRole('alert')).toContainText('Your saved work is safe');
  await expect(page.getByRole('button', { name: 'Reload' })).toBeVisible();
});
