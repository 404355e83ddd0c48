import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { and, eq, sql } from 'drizzle-orm';
import { auditLog } from '../../src/server/db/schema';
import { accessibilityViolations, expect, test } from './fixtures/harness';

/**
 * The client overview a clinician reads before a session, from a cache synced with the demo
 * clinic; opening it is an audited access that reaches the clinic server's audit log.
 */
const SCREENSHOTS = 'test-results/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

/** Open the chart of the first client on the caseload who has a safety plan flag or any risk flag. */
async function openFirstChart(app: Page): Promise<{ name: string; clientId: string }> {
  await app.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Caseload' }).click();
  await expect(app.getByRole('status', { name: 'Sync status' })).toHaveText('Synced', { timeout: 30_000 });
  await expect(app.getByText(/^Showing \d+ of \d+ clients$/)).toBeVisible({ timeout: 30_000 });
  const table = app.getByRole('table', { name: 'Clients on your caseload' });
  const link = table.locator('tbody tr:not([aria-hidden])').first().getByRole('link');
  const name = (await link.textContent()) ?? '';
  await link.click();
  await expect(app.getByRole('heading', { level: 2, name })).toBeVisible();
  const clientId = /#\/clients\/([0-9a-f-]{36})/.exec(app.url())?.[1] ?? '';
  expect(clientId).not.toBe('');
  return { name, clientId };
}

test('the overview puts risk and the safety plan first, then identity, contacts, care team, consents, medications, appointments, notes and measures', async ({
  app,
}) => {
  await openFirstChart(app);
  const headings = await app.getByRole('main').getByRole('heading', { level: 3 }).allTextContents();
  expect(headings).toEqual([
    'Risk and safety',
    'Relapse-prevention plan',
    'Identity',
    'Emergency contacts',
    'Care team',
    'Consents',
    'Medications',
    'Appointments',
    'Recent notes',
    'Recent measures',
  ]);
  const risk = app.getByRole('region', { name: 'Risk and safety' });
  await expect(risk.getByRole('heading', { level: 4, name: 'Safety plan' })).toBeVisible();
  await expect(risk.getByRole('heading', { level: 4, name: 'Risk flags' })).toBeVisible();
  // Emergency contacts say whether a release is on file, in words.
  await expect(
    app
      .getByRole('region', { name: 'Emergency contacts' })
      .getByText(/^(Release on file|No release: do not share information)$/)
      .first(),
  ).toBeVisible();
  // Care team members are named (staff records synced).
  await expect(app.getByRole('region', { name: 'Care team' })).not.toContainText('Staff member not synced yet');
  // Notes carry their status in words.
  await expect(
    app
      .getByRole('region', { name: 'Recent notes' })
      .getByText(/^(Draft|Signed)$/)
      .first(),
  ).toBeVisible();
  expect(await accessibilityViolations(app)).toEqual([]);
  await app.screenshot({ path: `${SCREENSHOTS}/client-overview.png`, fullPage: true });

  await app.emulateMedia({ colorScheme: 'dark' });
  expect(await accessibilityViolations(app)).toEqual([]);
  await app.screenshot({ path: `${SCREENSHOTS}/client-overview-dark.png`, fullPage: true });

  await app.keyboard.press('Control+K');
  await app.getByRole('textbox', { name: 'Search commands' }).fill('Español');
  await app.keyboard.press('Enter');
  await expect(app.getByRole('heading', { level: 3, name: 'Riesgo y seguridad' })).toBeVisible();
  expect(await accessibilityViolations(app)).toEqual([]);
  await app.screenshot({ path: `${SCREENSHOTS}/client-overview-es.png`, fullPage: true });
});

test('opening a chart is audited, and the entry reaches the clinic server', async ({ app, clinic }) => {
  const { clientId } = await openFirstChart(app);
  await app.getByRole('button', { name: /Open the sync panel$/ }).click();
  const panel = app.getByRole('dialog', { name: 'Sync with the clinic server' });
  await panel.getByRole('button', { name: 'Sync now' }).click();
  const db = clinic.server.database.db;
  await expect
    .poll(
      async () =>
        (
          await db
            .select({ n: sql<number>`count(*)::int` })
            .from(auditLog)
            .where(
              and(
                eq(auditLog.action, 'workstation.chart.opened'),
                sql`${auditLog.recordIds} @> ${JSON.stringify([clientId])}::jsonb`,
              ),
            )
        )[0]?.n ?? 0,
      { timeout: 20_000 },
    )
    .toBeGreaterThan(0);
});

test('an unknown client is reported in words, with the way back', async ({ app }) => {
  await app.evaluate(() => {
    window.location.hash = '#/clients/00000000-0000-4000-8000-000000000000';
  });
  await expect(app.getByRole('alert')).toContainText('This client is not on this workstation.');
  await app.getByRole('link', { name: 'Back to caseload' }).click();
  await expect(app.getByRole('heading', { level: 2, name: 'Caseload' })).toBeVisible();
});
