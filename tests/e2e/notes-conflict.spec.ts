import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessibilityViolations, expect, firstRun, startHarnessProcess, test } from './fixtures/harness';
import {
  openChart,
  openNote,
  restartClinicServer,
  richText,
  saveStatus,
  startNote,
  stopClinicServer,
  syncNow,
  typeInto,
} from './fixtures/notes';

/**
 * One draft on two workstations (the same clinician at the clinic and at home): an edit made at
 * home shows at the clinic with "Edited on another device"; then both edit it offline, and the
 * second to sync gets a conflict, sees both texts side by side, merges them and saves the merge.
 */
const SCREENSHOTS = 'test-results/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

test('an edit from another workstation is announced; a draft edited offline on two workstations shows both texts side by side and is merged', async ({
  app,
  clinic,
  browser,
}) => {
  test.setTimeout(420_000);
  const otherDir = mkdtempSync(join(tmpdir(), 'continuum-e2e-other-'));
  const otherHarness = await startHarnessProcess(otherDir);
  const context = await browser.newContext();
  let offline = false;
  try {
    const { clientId } = await openChart(app, 1);
    const noteId = await startNote(app, 'SOAP note', false);
    await typeInto(app, 'Subjective', 'Shared start.');
    await expect(saveStatus(app)).toHaveText(/^Saved \d/);
    await syncNow(app);

    // The same clinician's other workstation has the draft.
    const other = await context.newPage();
    await other.goto(otherHarness.url);
    await firstRun(other, clinic);
    await expect(other.getByRole('status', { name: 'Sync status' })).toHaveText('Synced', { timeout: 90_000 });
    await openNote(other, noteId);
    await expect(richText(other, 'Subjective')).toHaveText('Shared start.');

    // Online, an edit at home reaches the clinic workstation, whose editor (still open, nothing
    // unsaved) shows it in place and says where it was made.
    await typeInto(other, 'Subjective', ' Seen at home.');
    await expect(saveStatus(other)).toHaveText(/^Saved \d/);
    await syncNow(other);
    await syncNow(app);
    await expect(richText(app, 'Subjective')).toHaveText('Shared start. Seen at home.');
    await expect(app.getByText(/^Edited on another device at /)).toBeVisible();
    await app.screenshot({ path: `${SCREENSHOTS}/notes-edited-elsewhere.png` });

    // Both write while the clinic server is away.
    await stopClinicServer(clinic);
    offline = true;
    await typeInto(app, 'Subjective', ' Edit from the clinic.');
    await expect(saveStatus(app)).toHaveText(/^Saved \d/);
    await typeInto(other, 'Subjective', ' Edit from home.');
    await expect(saveStatus(other)).toHaveText(/^Saved \d/);
    await restartClinicServer(clinic);
    offline = false;

    // The clinic's edit reaches the server first; home's then conflicts.
    await syncNow(app);
    await syncNow(other);
    await other.evaluate((hash) => {
      window.location.hash = hash;
    }, `#/clients/${clientId}`);
    const entry = other
      .getByRole('region', { name: 'Recent notes' })
      .getByRole('listitem')
      .filter({ has: other.locator(`a[href="#/notes/${noteId}"]`) });
    await expect(entry.getByText('Conflict', { exact: true })).toBeVisible({ timeout: 30_000 });
    // The header badge points to it too.
    await expect(other.getByRole('status', { name: 'Sync status' })).toHaveText('Synced · 1 to review');
    await entry.getByRole('link').click();

    await expect(other.getByText('This draft was edited on two devices')).toBeVisible();
    const part = other.getByRole('region', { name: 'Subjective', exact: true });
    await expect(part.getByRole('group', { name: 'Subjective: mine' })).toContainText(
      'Shared start. Seen at home. Edit from home.',
    );
    await expect(part.getByRole('group', { name: 'Subjective: other device' })).toContainText(
      'Shared start. Seen at home. Edit from the clinic.',
    );
    expect(await accessibilityViolations(other)).toEqual([]);
    await other.screenshot({ path: `${SCREENSHOTS}/notes-conflict.png` });

    await part.getByRole('radio', { name: 'Write a merged text' }).check();
    const merged = other.getByRole('textbox', { name: 'Subjective: merged text' });
    await expect(merged).toHaveText('Shared start. Seen at home. Edit from home.');
    await merged.click();
    await other.keyboard.press('Control+End');
    await other.keyboard.type(' Edit from the clinic.');
    await other.getByRole('button', { name: 'Save merged note' }).click();

    // The merged draft is the draft again, editable, and goes to the clinic server.
    await expect(richText(other, 'Subjective')).toHaveText(
      'Shared start. Seen at home. Edit from home. Edit from the clinic.',
    );
    await expect(other.getByText('Conflict', { exact: true })).toHaveCount(0);
    await syncNow(other);
    await expect(other.getByRole('status', { name: 'Sync status' })).toHaveText('Synced');

    // The clinic workstation, the draft still open there, shows the merge and no conflict.
    await syncNow(app);
    await expect(richText(app, 'Subjective')).toHaveText(
      'Shared start. Seen at home. Edit from home. Edit from the clinic.',
    );
    await expect(app.getByText('This draft was edited on two devices')).toHaveCount(0);
    await expect(app.getByRole('status', { name: 'Sync status' })).toHaveText('Synced');
  } finally {
    if (offline) await restartClinicServer(clinic);
    await context.close();
    await otherHarness.stop();
    rmSync(otherDir, { recursive: true, force: true });
  }
});
