import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accessibilityViolations,
  expect,
  firstRun,
  PASSPHRASE,
  startHarnessProcess,
  test,
  unlock,
} from './fixtures/harness';
import {
  openChart,
  restartClinicServer,
  richText,
  saveStatus,
  startNote,
  stopClinicServer,
  syncNow,
  typeInto,
} from './fixtures/notes';

/**
 * Session notes end to end, on a workstation signed in to the demo clinic: a SOAP note with a
 * PHQ-9 written partly offline, kept across a lock, signed with the passphrase, synced, seen on
 * a second workstation, and found by search.
 */
const SCREENSHOTS = 'test-results/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

const PHQ9 = 'PHQ-9 (depression)';

test('a SOAP note with a PHQ-9, written partly offline and across a lock, is signed, synced to a second workstation and found by search', async ({
  app,
  clinic,
  browser,
}) => {
  test.setTimeout(360_000);
  // The clinic server is stopped in the middle; whatever happens, the worker gets it back.
  let offline = false;
  try {
    const { name, clientId } = await openChart(app);
    const noteId = await startNote(app, 'SOAP note');
    const sessionDate = await app.getByLabel(/^Date\b/).inputValue();
    await expect(app.getByRole('heading', { level: 2, name: `SOAP note: ${name}` })).toBeVisible();

    // The last note's plan came forward, marked as copied (words for screen readers, a tint for the eye).
    const plan = richText(app, 'Plan');
    await expect(app.getByText('Copied from the last note')).toBeVisible();
    await expect(plan.locator('mark[data-copied-forward]').first()).toBeVisible();

    // The encounter.
    await app.getByLabel('Start time').fill('14:00');
    await app.getByLabel('End time').fill('14:50');
    await app.getByRole('radio', { name: 'Video' }).check();
    await app.getByLabel('Client’s location for this session').fill('1200 Harbor Road, Apt 4, Lakeside');
    await app.getByRole('checkbox', { name: 'Location confirmed with the client' }).check();

    await typeInto(app, 'Subjective', 'Reports steady mood this week; zebrafinch mentioned as a calming hobby.');
    await expect(saveStatus(app)).toHaveText(/^Saved \d/);

    // PHQ-9: answered item by item; item 9 above 0 raises the safety prompt at once.
    await app.getByRole('button', { name: `Answer ${PHQ9}: 9 questions` }).click();
    const phq9 = app.getByRole('region', { name: PHQ9 });
    const answers = ['Several days', 'More than half the days', 'Several days', 'Nearly every day', 'Not at all'];
    for (let item = 0; item < 8; item += 1)
      await phq9
        .getByRole('radiogroup')
        .nth(item)
        .getByRole('radio', { name: answers[item % answers.length] ?? 'Not at all', exact: true })
        .check();
    await expect(phq9.getByText('Incomplete: 1 item(s) unanswered')).toBeVisible();
    await phq9.getByRole('radiogroup').nth(8).getByRole('radio', { name: 'Several days', exact: true }).check();
    await expect(phq9.getByText('Total 12 of 27: Moderate')).toBeVisible();
    const safety = phq9.getByRole('alert');
    await expect(safety).toContainText('Item 9 answered above 0: complete the C-SSRS screener now');
    expect(await accessibilityViolations(app)).toEqual([]);
    await safety.scrollIntoViewIfNeeded();
    await app.screenshot({ path: `${SCREENSHOTS}/notes-editor-phq9.png` });
    // The dark scheme keeps the prompt and the copied text readable.
    await app.emulateMedia({ colorScheme: 'dark' });
    expect(await accessibilityViolations(app)).toEqual([]);
    await app.screenshot({ path: `${SCREENSHOTS}/notes-editor-phq9-dark.png` });
    await plan.scrollIntoViewIfNeeded();
    await app.screenshot({ path: `${SCREENSHOTS}/notes-editor-copied-dark.png` });
    await app.emulateMedia({ colorScheme: 'light' });
    await safety.scrollIntoViewIfNeeded();
    await safety.getByRole('button', { name: 'Go to the risk screen' }).click();
    const risk = app.getByRole('radiogroup', { name: 'Risk screen (C-SSRS)' });
    await expect(risk.getByRole('radio', { name: 'Negative' })).toBeFocused();
    await risk.getByRole('radio', { name: 'Low risk' }).check();
    await typeInto(app, 'Assessment', 'Depressive symptoms moderate; engaged and future-oriented.');
    await expect(saveStatus(app)).toHaveText(/^Saved \d/);

    // Offline: the clinic server stops; writing goes on and is saved on this computer.
    await stopClinicServer(clinic);
    offline = true;
    await typeInto(app, 'Assessment', ' Offline addition lighthouse.');
    // Lock at once, before the autosave's pause: the lock saves what was typed first.
    await app.getByRole('button', { name: 'Lock' }).click();
    await expect(app.getByRole('heading', { level: 2, name: 'Continuum is locked' })).toBeVisible();
    await unlock(app);
    await expect(richText(app, 'Assessment')).toContainText('Offline addition lighthouse.');
    await expect(richText(app, 'Subjective')).toContainText('zebrafinch');

    // Sign: first what is missing, each item going to its field.
    await app.getByRole('button', { name: 'Sign note' }).click();
    const dialog = app.getByRole('dialog', { name: 'Sign note' });
    await expect(dialog.getByText('1 thing to finish before signing')).toBeVisible();
    expect(await accessibilityViolations(app)).toEqual([]);
    await app.screenshot({ path: `${SCREENSHOTS}/notes-sign-missing.png` });
    await dialog.getByRole('button', { name: 'Objective is required to sign' }).click();
    await expect(dialog).toBeHidden();
    await expect(richText(app, 'Objective')).toBeFocused();
    await app.keyboard.type('Alert, oriented, good eye contact; on video from home.');

    await app.getByRole('button', { name: 'Sign note' }).click();
    await dialog.getByLabel('Workstation passphrase').fill('not the passphrase');
    await dialog.getByRole('button', { name: 'Sign and lock' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('That passphrase is not correct. The note was not signed.');
    await dialog.getByLabel('Workstation passphrase').fill(PASSPHRASE);
    await dialog.getByRole('button', { name: 'Sign and lock' }).click();
    await expect(dialog).toBeHidden();
    // Focus moves from the gone editor to the signature.
    await expect(app.getByRole('heading', { level: 3, name: 'Signature' })).toBeFocused();

    // Signed: read-only, with the signature block; still waiting to reach the server.
    const signature = app.getByRole('region', { name: 'Signature', exact: true });
    await expect(signature.getByText(/^Signed by Jamie Example on /)).toBeVisible();
    await expect(signature.getByText(/^[0-9a-f]{64}$/)).toBeVisible();
    await expect(app.getByRole('button', { name: 'Sign note' })).toHaveCount(0);
    await expect(app.getByRole('textbox', { name: 'Assessment' })).toHaveCount(0);
    await expect(app.getByText('Waiting to sync', { exact: true }).first()).toBeVisible();
    expect(await accessibilityViolations(app)).toEqual([]);
    await app.screenshot({ path: `${SCREENSHOTS}/notes-signed.png`, fullPage: true });

    // Online again: the signed note reaches the clinic server.
    await restartClinicServer(clinic);
    offline = false;
    await syncNow(app);
    await expect(app.getByRole('status', { name: 'Sync status' })).toHaveText('Synced', { timeout: 60_000 });
    await app.getByRole('link', { name: `Back to ${name}’s chart` }).click();
    const timelineEntry = app
      .getByRole('region', { name: 'Recent notes' })
      .getByRole('listitem')
      .filter({
        has: app.locator(`a[href="#/notes/${noteId}"]`),
      });
    await expect(timelineEntry.getByText('Signed', { exact: true })).toBeVisible();
    await expect(timelineEntry.getByText('Waiting to sync')).toHaveCount(0);

    // A second workstation signed in as the same clinician sees it, signed, with its text.
    const secondDir = mkdtempSync(join(tmpdir(), 'continuum-e2e-second-'));
    const second = await startHarnessProcess(secondDir);
    const context = await browser.newContext();
    try {
      const other = await context.newPage();
      await other.goto(second.url);
      await firstRun(other, clinic);
      await expect(other.getByRole('status', { name: 'Sync status' })).toHaveText('Synced', { timeout: 90_000 });
      await other.evaluate((hash) => {
        window.location.hash = hash;
      }, `#/clients/${clientId}`);
      const otherEntry = other
        .getByRole('region', { name: 'Recent notes' })
        .getByRole('listitem')
        .filter({
          has: other.locator(`a[href="#/notes/${noteId}"]`),
        });
      await expect(otherEntry.getByText('Signed', { exact: true })).toBeVisible({ timeout: 30_000 });
      await otherEntry.getByRole('link').click();
      await expect(
        other.getByRole('region', { name: 'Signature', exact: true }).getByText(/^Signed by Jamie Example on /),
      ).toBeVisible();
      await expect(other.getByText('Offline addition lighthouse.')).toBeVisible();
      await other.screenshot({ path: `${SCREENSHOTS}/notes-second-workstation.png` });
    } finally {
      await context.close();
      await second.stop();
      rmSync(secondDir, { recursive: true, force: true });
    }

    // Search finds it, with the matched word marked.
    await app.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Notes' }).click();
    await app.getByRole('searchbox', { name: 'Search notes' }).fill('zebrafinch');
    await expect(app.getByRole('status').filter({ hasText: /notes? found$/ })).toHaveText('1 note found');
    const results = app.getByRole('list', { name: 'Search results' });
    await expect(results.locator('mark')).toHaveText(['zebrafinch']);
    expect(await accessibilityViolations(app)).toEqual([]);
    await app.screenshot({ path: `${SCREENSHOTS}/notes-search.png` });
    // Filters narrow it: another template finds nothing; signed, this client, today still find it.
    const found = app.getByRole('status').filter({ hasText: /^(\d+ notes? found|No notes match\.)$/ });
    await app.getByRole('combobox', { name: 'Template' }).selectOption({ label: 'DAP note' });
    await expect(found).toHaveText('No notes match.');
    await app.getByRole('combobox', { name: 'Template' }).selectOption({ label: 'SOAP note' });
    await app.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Signed' });
    await app.getByLabel('From', { exact: true }).fill(sessionDate);
    await app.getByLabel('To', { exact: true }).fill(sessionDate);
    await app.getByRole('combobox', { name: 'Client' }).fill(name);
    await app.getByRole('option', { name }).click();
    await expect(found).toHaveText('1 note found');
    await app.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Draft' });
    await expect(found).toHaveText('No notes match.');
    await app.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Any status' });
    await results.getByRole('link', { name: `${name}: SOAP note` }).click();
    await expect(app.getByRole('heading', { level: 2, name: `SOAP note: ${name}` })).toBeVisible();

    // Print / PDF: the core writes the file and the dialog says where; its first page renders.
    await app.getByRole('button', { name: 'Print / PDF' }).click();
    const written = app.getByRole('dialog', { name: 'PDF written' });
    await expect(
      written.getByText(/^note-.+\.pdf \(\d+ pages?\) was written, with the signature block and content hash\.$/),
    ).toBeVisible({
      timeout: 60_000,
    });
    const pdfPath = (await written.locator('pre').textContent())?.trim() ?? '';
    expect(pdfPath).toMatch(/\.pdf$/);
    expect(readFileSync(pdfPath).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await accessibilityViolations(app)).toEqual([]);
    await app.screenshot({ path: `${SCREENSHOTS}/notes-pdf-dialog.png` });
    const png = join(SCREENSHOTS, 'notes-pdf-page1');
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', pdfPath, png]);
    expect(existsSync(`${png}.png`)).toBe(true);
    await written.getByRole('button', { name: 'Done' }).click();
    await expect(written).toBeHidden();

    // The same note in Spanish.
    await app.keyboard.press('Control+K');
    await app.getByRole('textbox', { name: 'Search commands' }).fill('Español');
    await app.keyboard.press('Enter');
    await expect(app.getByRole('heading', { level: 2, name: `Nota SOAP: ${name}` })).toBeVisible();
    await expect(app.getByRole('region', { name: 'Firma' }).getByText(/^Firmada por Jamie Example el /)).toBeVisible();
    await expect(app.getByRole('button', { name: 'Imprimir / PDF' })).toBeVisible();
    expect(await accessibilityViolations(app)).toEqual([]);
    await app.screenshot({ path: `${SCREENSHOTS}/notes-signed-es.png` });
  } finally {
    if (offline) await restartClinicServer(clinic);
  }
});
