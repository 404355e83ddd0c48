import { mkdirSync } from 'node:fs';
import { accessibilityViolations, expect, test } from './fixtures/harness';

const SCREENSHOTS = 'test-results/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

const PAGES = [
  { link: 'Today', heading: 'Today', path: '#/today' },
  { link: 'Caseload', heading: 'Caseload', path: '#/caseload' },
  { link: 'Notes', heading: 'Notes', path: '#/notes' },
  { link: 'Escalations', heading: 'Escalations', path: '#/escalations' },
  { link: 'Conference', heading: 'Case conference', path: '#/conference' },
  { link: 'Settings', heading: 'Settings', path: '#/settings' },
];

test('every page opens from the navigation, is accessible, and is photographed', async ({ app }) => {
  const navigation = app.getByRole('navigation', { name: 'Main navigation' });
  for (const target of PAGES) {
    await navigation.getByRole('link', { name: target.link }).click();
    await expect(app.getByRole('heading', { level: 2, name: target.heading })).toBeVisible();
    await expect(app).toHaveURL(new RegExp(`${target.path}$`));
    await expect(navigation.getByRole('link', { name: target.link })).toHaveAttribute('aria-current', 'page');
    await expect(app).toHaveTitle(`${target.heading} · Continuum`);

    expect(await accessibilityViolations(app), `accessibility violations on ${target.link}`).toEqual([]);

    await app.screenshot({ path: `${SCREENSHOTS}/${target.link.toLowerCase()}.png`, fullPage: true });
  }
});

test('the header shows the sync status and every control has a name', async ({ app }) => {
  // Signed in to the clinic server at first run: the first sync ends in "Synced".
  await expect(app.getByRole('status', { name: 'Sync status' })).toHaveText('Synced', { timeout: 30_000 });
  await expect(app.getByRole('button', { name: 'Synced. Open the sync panel' })).toBeVisible();
  await expect(app.getByRole('button', { name: 'Open command palette' })).toBeVisible();
});

test('the command palette opens with Ctrl+K and navigates by keyboard', async ({ app }) => {
  await app.keyboard.press('Control+K');
  const search = app.getByRole('textbox', { name: 'Search commands' });
  await expect(search).toBeFocused();
  await search.fill('escalations');
  await app.screenshot({ path: `${SCREENSHOTS}/command-palette.png` });
  await app.keyboard.press('Enter');
  await expect(app.getByRole('heading', { level: 2, name: 'Escalations' })).toBeVisible();

  // The header button opens the same palette for mouse users.
  await app.getByRole('button', { name: 'Open command palette' }).click();
  await expect(app.getByRole('textbox', { name: 'Search commands' })).toBeVisible();
  await app.keyboard.press('Escape');
  await expect(app.getByRole('textbox', { name: 'Search commands' })).toBeHidden();
});

test('keyboard users can skip straight to the page content', async ({ app }) => {
  await app.keyboard.press('Tab');
  const skip = app.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await app.keyboard.press('Enter');
  await expect(app.locator('#main-content')).toBeFocused();
});

test('switching to Spanish changes every screen and survives a reload', async ({ app, harness }) => {
  await app.getByRole('link', { name: 'Settings' }).click();
  // By keyboard: focus the language box, open it, pick Spanish.
  await app.getByRole('combobox', { name: 'Language' }).focus();
  await app.keyboard.press('ArrowDown');
  await expect(app.getByRole('option', { name: 'Español' })).toBeVisible();
  await app.keyboard.press('ArrowDown');
  await app.keyboard.press('Enter');

  await expect(app.getByRole('heading', { level: 2, name: 'Configuración' })).toBeVisible();
  await expect(app.getByRole('navigation', { name: 'Navegación principal' })).toBeVisible();
  await expect(app.getByRole('status', { name: 'Estado de sincronización' })).toHaveText('Sincronizado', {
    timeout: 30_000,
  });
  await expect(app.locator('html')).toHaveAttribute('lang', 'es');
  expect(await accessibilityViolations(app)).toEqual([]);
  await app.screenshot({ path: `${SCREENSHOTS}/settings-es.png`, fullPage: true });

  // The preference lives in the core's profile, not in the page.
  await app.reload();
  await expect(app.getByRole('heading', { level: 2, name: 'Configuración' })).toBeVisible();

  // The palette offers the way back.
  await app.keyboard.press('Control+K');
  await app.getByRole('textbox', { name: 'Buscar comandos' }).fill('English');
  await app.keyboard.press('Enter');
  await expect(app.getByRole('heading', { level: 2, name: 'Settings' })).toBeVisible();
  expect(harness.dataDir).toBeTruthy();
});

test('the UI reaches the core and back', async ({ app }) => {
  await app.getByRole('link', { name: 'Settings' }).click();
  await expect(app.getByRole('cell', { name: /^Node\.js \d+\.\d+\.\d+$/ })).toBeVisible();
  await app.getByRole('button', { name: 'Check connection to the core' }).click();
  await expect(app.getByText(/^The core answered in \d+ ms\.$/)).toBeVisible();
});

test('the appearance setting switches between light and dark', async ({ app }) => {
  await app.getByRole('link', { name: 'Settings' }).click();
  await app.getByText('Dark', { exact: true }).click();
  await expect(app.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  expect(await accessibilityViolations(app)).toEqual([]);
  await app.screenshot({ path: `${SCREENSHOTS}/settings-dark.png`, fullPage: true });
  await app.getByText('Light', { exact: true }).click();
  await expect(app.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'light');
});
