import { mkdirSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { accessibilityViolations, expect, test } from './fixtures/harness';

/**
 * The Caseload page on a workstation signed in to the demo clinic: the rows arrive by sync from
 * a real clinic server; search, filters, sort and opening a chart, with the keyboard.
 */
const SCREENSHOTS = 'test-results/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

async function openCaseload(app: Page): Promise<{ table: Locator; total: number }> {
  await app.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Caseload' }).click();
  await expect(app.getByRole('heading', { level: 2, name: 'Caseload' })).toBeVisible();
  // The first sync fills the cache; the page re-reads it as the data arrives.
  await expect(app.getByRole('status', { name: 'Sync status' })).toHaveText('Synced', { timeout: 30_000 });
  const showing = app.getByText(/^Showing \d+ of \d+ clients$/);
  await expect(showing).toBeVisible({ timeout: 30_000 });
  const [, shown, total] = /^Showing (\d+) of (\d+)/.exec((await showing.textContent()) ?? '') ?? [];
  expect(Number(total)).toBeGreaterThan(5);
  expect(shown).toBe(total);
  return { table: app.getByRole('table', { name: 'Clients on your caseload' }), total: Number(total) };
}

/** The rows the table has rendered (it is virtualised: those in view and a few more). */
const bodyRows = (table: Locator) => table.locator('tbody tr:not([aria-hidden])');
const columnIndex = { name: 0, program: 2, craving: 6, phq9: 7, alerts: 8 } as const;

/** Waits until the rendered rows are not empty and every cell of one column passes `check`. */
async function expectEveryCell(rows: Locator, column: number, check: (text: string) => boolean): Promise<void> {
  await expect
    .poll(async () => {
      const texts = await rows.locator(`td:nth-child(${column + 1})`).allTextContents();
      return texts.length > 0 && texts.every(check);
    })
    .toBe(true);
}

test('the caseload lists the synced clients with trends in words, searchable, filterable and sortable', async ({
  app,
}) => {
  const { table, total } = await openCaseload(app);
  await expect(table.getByRole('columnheader')).toHaveText([
    /Client/,
    'Risk flags',
    'Program',
    /Next appointment/,
    'Last contact',
    /Days since session/,
    /Craving/,
    /PHQ-9/,
    'Alerts',
  ]);
  // Sparklines say their values; alerts are words, not colours.
  await expect(
    table.getByRole('img', { name: /^PHQ-9, last \d values, oldest first: [\d, ]+$/ }).first(),
  ).toBeVisible();
  expect(await accessibilityViolations(app)).toEqual([]);
  await app.screenshot({ path: `${SCREENSHOTS}/caseload.png`, fullPage: true });

  // Search by name: part of the first client's family name, in lower case.
  const firstName = (await bodyRows(table).first().getByRole('link').textContent()) ?? '';
  const family = firstName.split(' ').at(-1) ?? '';
  await app.getByRole('searchbox', { name: 'Search by name' }).fill(family.slice(0, 4).toLowerCase());
  // The list narrows (the count is announced in a live region).
  await expect
    .poll(async () => Number(/^Showing (\d+)/.exec((await app.getByText(/^Showing \d+ of/).textContent()) ?? '')?.[1]))
    .toBeLessThan(total);
  const names = await bodyRows(table).getByRole('link').allTextContents();
  expect(names.length).toBeGreaterThan(0);
  expect(names.length).toBeLessThan(total);
  for (const name of names) expect(name.toLowerCase()).toContain(family.slice(0, 4).toLowerCase());
  await app.getByRole('button', { name: 'Clear search and filters' }).first().click();
  await expect(app.getByText(`Showing ${total} of ${total} clients`)).toBeVisible();

  // Filter by program: every row shown is in IOP.
  await app.getByRole('combobox', { name: 'Program' }).selectOption({ label: 'IOP' });
  await expect(app).toHaveURL(/program=iop/);
  // The address changes first; the rows follow when the core answers (the table is virtualised,
  // so the rendered cells are read in one go and polled until the narrowed list is on screen).
  await expectEveryCell(bodyRows(table), columnIndex.program, (text) => text.includes('IOP'));
  await app.getByRole('combobox', { name: 'Program' }).selectOption({ label: 'All programs' });

  // Filter by alert: every row shown carries an alert badge.
  await app.getByRole('combobox', { name: 'Alerts' }).selectOption({ label: 'Any alert' });
  await expect(app).toHaveURL(/alert=any/);
  await expectEveryCell(bodyRows(table), columnIndex.alerts, (text) => text.trim() !== 'None');
  await app.getByRole('combobox', { name: 'Alerts' }).selectOption({ label: 'All clients' });

  // Sort by PHQ-9: highest first, clients without one last; again: lowest first.
  await table.getByRole('button', { name: 'Sort by PHQ-9' }).click();
  await expect(table.getByRole('columnheader', { name: /PHQ-9/ })).toHaveAttribute('aria-sort', 'descending');
  const scores = async (): Promise<number[]> =>
    (
      await bodyRows(table)
        .locator(`td:nth-child(${columnIndex.phq9 + 1})`)
        .allTextContents()
    )
      .map((text) => Number.parseInt(text, 10))
      .filter((value) => !Number.isNaN(value));
  // Polled: the header changes at once, the rows when the core answers.
  const isSorted = (values: number[], order: 1 | -1) =>
    values.every((v, i) => i === 0 || (v - values[i - 1]!) * order >= 0);
  await expect
    .poll(async () => {
      const values = await scores();
      return values.length > 3 && isSorted(values, -1);
    })
    .toBe(true);
  await table.getByRole('button', { name: 'Sort by PHQ-9' }).click();
  await expect(table.getByRole('columnheader', { name: /PHQ-9/ })).toHaveAttribute('aria-sort', 'ascending');
  await expect
    .poll(async () => {
      const values = await scores();
      return values.length > 3 && isSorted(values, 1);
    })
    .toBe(true);

  // Sort by name (the default order) is alphabetical.
  await table.getByRole('button', { name: 'Sort by Client' }).click();
  await expect(table.getByRole('columnheader', { name: /Client/ })).toHaveAttribute('aria-sort', 'ascending');
  await expect
    .poll(async () => {
      const names = await bodyRows(table).getByRole('link').allTextContents();
      return (
        names.length > 0 &&
        names.join('|') === [...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })).join('|')
      );
    })
    .toBe(true);
});

test('a client is opened from the caseload with the keyboard alone', async ({ app }) => {
  const { table } = await openCaseload(app);
  // Tab from the search box reaches the sort buttons, then the first client.
  await app.getByRole('searchbox', { name: 'Search by name' }).focus();
  const firstLink = bodyRows(table).first().getByRole('link');
  for (let i = 0; i < 15 && !(await firstLink.evaluate((el) => el === document.activeElement)); i += 1)
    await app.keyboard.press('Tab');
  await expect(firstLink).toBeFocused();
  // Arrow down moves to the next client; Enter opens the chart.
  await app.keyboard.press('ArrowDown');
  const second = bodyRows(table).nth(1).getByRole('link');
  await expect(second).toBeFocused();
  const name = (await second.textContent()) ?? '';
  await app.keyboard.press('Enter');
  await expect(app.getByRole('heading', { level: 2, name })).toBeVisible();
  await expect(app.getByRole('heading', { level: 3, name: 'Risk and safety' })).toBeVisible();

  // End jumps to the last client of a long, virtualised list; Back keeps the list's order.
  await app.getByRole('link', { name: 'Back to caseload' }).click();
  await expect(app.getByRole('heading', { level: 2, name: 'Caseload' })).toBeVisible();
  await bodyRows(table).first().getByRole('link').focus();
  await app.keyboard.press('End');
  await expect
    .poll(() => app.evaluate(() => Number(document.activeElement?.getAttribute('data-row-index'))))
    .toBe(Number(await table.getAttribute('aria-rowcount')) - 2);
});

test('the caseload in Spanish and in the dark scheme stays accessible', async ({ app }) => {
  await app.emulateMedia({ colorScheme: 'dark' });
  await openCaseload(app);
  expect(await accessibilityViolations(app)).toEqual([]);
  await app.screenshot({ path: `${SCREENSHOTS}/caseload-dark.png`, fullPage: true });

  await app.keyboard.press('Control+K');
  await app.getByRole('textbox', { name: 'Search commands' }).fill('Español');
  await app.keyboard.press('Enter');
  await expect(app.getByRole('heading', { level: 2, name: 'Casos' })).toBeVisible();
  await expect(app.getByRole('table', { name: 'Clientes de su carga de casos' })).toBeVisible();
  expect(await accessibilityViolations(app)).toEqual([]);
  await app.screenshot({ path: `${SCREENSHOTS}/caseload-es.png`, fullPage: true });
});

test('two filters changed before the page redraws are both kept, in the address and on screen', async ({ app }) => {
  const { table } = await openCaseload(app);
  const program = app.getByRole('combobox', { name: 'Program' });
  const alert = app.getByRole('combobox', { name: 'Alerts' });
  // Both changes in one task: the router commits a navigation later (a transition), so the second
  // change is handled before the page has redrawn with the first, as with a fast keyboard user.
  const handles = [await program.elementHandle(), await alert.elementHandle()];
  await app.evaluate(([programSelect, alertSelect]) => {
    for (const [select, value] of [
      [programSelect, 'iop'],
      [alertSelect, 'any'],
    ] as const) {
      (select as HTMLSelectElement).value = value;
      select!.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }, handles);
  await expect(app).toHaveURL(/program=iop/);
  await expect(app).toHaveURL(/alert=any/);
  await expect(program).toHaveValue('iop');
  await expect(alert).toHaveValue('any');
  await expectEveryCell(bodyRows(table), columnIndex.program, (text) => text.includes('IOP'));
});
