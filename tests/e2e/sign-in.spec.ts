import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { parseCommand } from '../../src/server/admin/commands';
import { openDatabase } from '../../src/server/db/database';
import { devices, refreshTokens, users } from '../../src/server/db/schema';
import { createUser, PASSWORD, startTestServer } from '../server/helpers/fixtures';
import {
  CLINICIAN,
  accessibilityViolations,
  createPassphrase,
  expect,
  signIn,
  startHarnessProcess,
  test,
} from './fixtures/harness';

const SCREENSHOTS = 'test-results/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

test('first run: the sign-in screen names its fields and explains every failure in words', async ({
  page,
  harness,
  clinic,
}) => {
  await page.goto(harness.url);
  await expect(page.getByRole('heading', { level: 2, name: 'Sign in to your clinic server' })).toBeVisible();
  // Nothing of the caseload, and no passphrase yet.
  await expect(page.getByRole('navigation', { name: 'Main navigation' })).toHaveCount(0);
  const serverUrl = page.getByRole('textbox', { name: 'Server URL' });
  const username = page.getByRole('textbox', { name: 'Username' });
  const password = page.getByLabel('Password', { exact: true });
  const signInButton = page.getByRole('button', { name: 'Sign in' });
  await expect(serverUrl).toBeFocused();
  expect(await accessibilityViolations(page)).toEqual([]);
  await page.screenshot({ path: `${SCREENSHOTS}/sign-in.png`, fullPage: true });

  await signInButton.click();
  await expect(page.getByRole('alert')).toHaveText('Fill in the server URL, your username and your password.');

  // Plain http to another computer is refused before anything is sent.
  await serverUrl.fill('http://clinic.example.org');
  await username.fill(CLINICIAN);
  await password.fill(clinic.password);
  await signInButton.click();
  await expect(page.getByRole('alert')).toHaveText(
    'That clinic server address cannot be used. It must start with https:// (http:// only for this computer).',
  );

  // Nothing listens there.
  await serverUrl.fill('http://127.0.0.1:9');
  await password.fill(clinic.password);
  await signInButton.click();
  await expect(page.getByRole('alert')).toHaveText(
    'The clinic server cannot be reached. Check the address and the network; your work is kept on this computer.',
  );

  // The real server, a wrong password: said plainly, and the password field is emptied.
  await serverUrl.fill(clinic.url);
  await password.fill('not the password');
  await signInButton.click();
  await expect(page.getByRole('alert')).toHaveText('The username or password is not correct.');
  await expect(password).toHaveValue('');
  expect(await accessibilityViolations(page)).toEqual([]);
  await page.screenshot({ path: `${SCREENSHOTS}/sign-in-error.png`, fullPage: true });

  await password.fill(clinic.password);
  await signInButton.click();
  await expect(page.getByRole('heading', { level: 2, name: 'Create your workstation passphrase' })).toBeVisible();
  await createPassphrase(page);
  await expect(page.getByRole('heading', { level: 2, name: 'Today' })).toBeVisible();
  // Signed in and syncing: the badge leaves "Not signed in".
  await expect(page.getByRole('status', { name: 'Sync status' })).not.toHaveText('Not signed in');
});

test('sign-in by keyboard alone, in the dark scheme', async ({ page, harness, clinic }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(harness.url);
  await expect(page.getByRole('heading', { level: 2, name: 'Sign in to your clinic server' })).toBeVisible();
  expect(await accessibilityViolations(page)).toEqual([]);
  await page.screenshot({ path: `${SCREENSHOTS}/sign-in-dark.png`, fullPage: true });

  // The field has focus on arrival; Tab moves through the form in order; Enter sends it.
  await page.keyboard.type(clinic.url);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('textbox', { name: 'Username' })).toBeFocused();
  await page.keyboard.type(CLINICIAN);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
  await page.keyboard.type('wrong password');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert')).toHaveText('The username or password is not correct.');
  await page.keyboard.type(clinic.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 2, name: 'Create your workstation passphrase' })).toBeVisible();
});

test('the sign-in screen in Spanish', async ({ page }) => {
  // The language is a workstation preference, read before anyone signs in.
  const dataDir = mkdtempSync(join(tmpdir(), 'continuum-e2e-es-'));
  mkdirSync(join(dataDir, 'workstation'), { recursive: true });
  writeFileSync(join(dataDir, 'workstation', 'preferences.json'), JSON.stringify({ language: 'es' }));
  const harness = await startHarnessProcess(dataDir);
  try {
    await page.goto(harness.url);
    await expect(
      page.getByRole('heading', { level: 2, name: 'Inicie sesión en el servidor de su clínica' }),
    ).toBeVisible();
    await expect(page.getByRole('textbox', { name: 'URL del servidor' })).toBeVisible();
    await expect(page.getByRole('textbox', { name: 'Nombre de usuario' })).toBeVisible();
    await expect(page.getByLabel('Contraseña', { exact: true })).toBeVisible();
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await expect(page.getByRole('alert')).toHaveText(
      'Escriba la URL del servidor, su nombre de usuario y su contraseña.',
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}/sign-in-es.png`, fullPage: true });
  } finally {
    await harness.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a device revoked by the clinic is told so on a full screen, and can be set up again', async ({ app, clinic }) => {
  await expect(app.getByRole('status', { name: 'Sync status' })).toHaveText('Synced', { timeout: 30_000 });
  // The clinic's administrator revokes this workstation (the newest device of the clinician).
  const db = clinic.server.database.db;
  const [device] = await db
    .select({ id: devices.id })
    .from(devices)
    .innerJoin(users, eq(users.id, devices.userId))
    .where(and(eq(users.username, CLINICIAN), isNull(devices.revokedAt)))
    .orderBy(desc(devices.createdAt))
    .limit(1);
  expect(device).toBeDefined();
  const command = parseCommand(['revoke-device', '--device', device!.id]);
  await command.spec.run(db, command.options, {
    stdout: () => undefined,
    stderr: () => undefined,
    readStdin: () => Promise.resolve(''),
  });

  await expect(app.getByRole('heading', { level: 2, name: 'This workstation was disconnected' })).toBeVisible({
    timeout: 30_000,
  });
  await expect(app.getByRole('alert')).toContainText('The client records kept on this computer were erased.');
  await expect(app.getByRole('navigation', { name: 'Main navigation' })).toHaveCount(0);
  expect(await accessibilityViolations(app)).toEqual([]);
  await app.screenshot({ path: `${SCREENSHOTS}/revoked.png`, fullPage: true });

  await app.getByRole('button', { name: 'Sign in again' }).click();
  await signIn(app, clinic);
  await expect(app.getByRole('heading', { level: 2, name: 'Create your workstation passphrase' })).toBeVisible();
});

test('when the clinic server session ends, a banner asks to sign in again without blocking the work', async ({
  page,
  harness,
}) => {
  const database = await openDatabase({ memory: true });
  const server = await startTestServer(database.db);
  try {
    const user = await createUser(database.db);
    await page.goto(harness.url);
    await signIn(page, { url: server.url, password: PASSWORD }, user.username);
    await createPassphrase(page);
    const status = page.getByRole('status', { name: 'Sync status' });
    await expect(status).toHaveText('Synced', { timeout: 30_000 });

    // The clinic ends every session of this clinician, and the access token runs out.
    await database.db.update(refreshTokens).set({ revokedAt: new Date() }).where(eq(refreshTokens.userId, user.id));
    server.advance(16 * 60_000);
    await page.getByRole('button', { name: 'Synced. Open the sync panel' }).click();
    const panel = page.getByRole('dialog', { name: 'Sync with the clinic server' });
    await panel.getByRole('button', { name: 'Sync now' }).click();
    await page.keyboard.press('Escape');

    const banner = page.getByRole('status').filter({ hasText: 'Sign in again to sync' });
    await expect(banner).toBeVisible({ timeout: 20_000 });
    // The workstation stays usable: the pages still open.
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Caseload' }).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Caseload' })).toBeVisible();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}/session-ended.png`, fullPage: true });

    // The server's clock (moved ahead to expire the token) agrees with this computer's again.
    server.advance(-16 * 60_000);
    await banner.getByRole('button', { name: 'Sign in' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign in again to sync' });
    await expect(dialog.getByRole('textbox', { name: 'Server URL' })).toHaveValue(new RegExp(`^${server.url}/?$`));
    await dialog.getByRole('textbox', { name: 'Username' }).fill(user.username);
    await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await expect(dialog).toBeHidden();
    await expect(banner).toBeHidden();
    await expect(status).toHaveText('Synced', { timeout: 20_000 });
  } finally {
    await server.close().catch(() => undefined);
    await database.close();
  }
});
