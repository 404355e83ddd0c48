import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import {
  accessibilityViolations,
  expect,
  firstRun,
  PASSPHRASE,
  startHarnessProcess,
  test,
  unlock,
} from './fixtures/harness';
import { fillSoapForSigning, openChart, richText, saveStatus, signNote, startNote, typeInto } from './fixtures/notes';

/**
 * Locking never costs what was typed: a clinician types into a note and walks away; the
 * workstation locks itself; after unlocking, the note opens again with every word. The same
 * holds for an addendum being written.
 */

/** Move the mouse now and then (activity) until stopped, so the idle lock waits for the test. */
function keepActive(page: Page): () => void {
  let x = 5;
  const timer = setInterval(() => {
    x = x === 5 ? 6 : 5;
    void page.mouse.move(x, 5).catch(() => undefined);
  }, 3_000);
  return () => clearInterval(timer);
}

test('a draft typed just before the automatic lock is all there after unlocking', async ({ page, clinic }) => {
  test.setTimeout(300_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'continuum-e2e-notes-idle-'));
  // Locks after 20 s without activity (activity is reported at most every 15 s).
  const harness = await startHarnessProcess(dataDir, ['--auto-lock-seconds', '20']);
  const active = keepActive(page);
  try {
    await page.goto(harness.url);
    await firstRun(page, clinic);
    await openChart(page, 2);
    await startNote(page, 'DAP note', false);
    await typeInto(page, 'Data', 'Client described the week, then the session ran long; ');
    await typeInto(page, 'Data', 'these are the last words typed before walking away.');
    active();
    // No keyboard or mouse from here on.
    await expect(page.getByRole('heading', { level: 2, name: 'Continuum is locked' })).toBeVisible({ timeout: 60_000 });
    await expect(page.getByText('Continuum locked itself after a period without activity')).toBeVisible();
    await unlock(page);
    await expect(richText(page, 'Data')).toHaveText(
      'Client described the week, then the session ran long; these are the last words typed before walking away.',
    );
  } finally {
    active();
    await harness.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('an addendum being written is kept across a lock; discarding it asks first; signed, it joins the note', async ({
  app,
}) => {
  test.setTimeout(240_000);
  await openChart(app, 3);
  await startNote(app, 'SOAP note', false);
  await fillSoapForSigning(app, 'Addendum base note.');
  await signNote(app, PASSPHRASE);

  // Start an addendum; it is saved as it is typed.
  await app.getByRole('button', { name: 'Add addendum' }).click();
  await typeInto(app, 'Addendum text', 'Correction: the session lasted 50 minutes.');
  await expect(saveStatus(app)).toHaveText(/^Saved \d/);

  // The clinician locks the workstation; after unlocking, the addendum is there to finish.
  await app.getByRole('button', { name: 'Lock', exact: true }).click();
  await unlock(app);
  await expect(richText(app, 'Addendum text')).toHaveText('Correction: the session lasted 50 minutes.');
  await expect(app.getByRole('button', { name: 'Add addendum' })).toHaveCount(0);
  expect(await accessibilityViolations(app)).toEqual([]);
  await app.screenshot({ path: 'test-results/screenshots/notes-addendum-draft.png', fullPage: true });

  // Discard asks first; "Keep writing" keeps every word.
  await app.getByRole('button', { name: 'Discard addendum' }).click();
  const question = app.getByRole('alertdialog', { name: 'Discard this addendum?' });
  await expect(question).toContainText('It was never sent.');
  await question.getByRole('button', { name: 'Keep writing' }).click();
  await expect(question).toBeHidden();
  await typeInto(app, 'Addendum text', ' Not 45.');

  // Signed: it is the note's addendum, and the form is gone.
  const form = app.getByRole('region', { name: 'New addendum' });
  await form.getByLabel('Workstation passphrase').fill(PASSPHRASE);
  await form.getByRole('button', { name: 'Sign addendum' }).click();
  const addenda = app.getByRole('region', { name: 'Addendum', exact: true });
  await expect(addenda).toContainText('Correction: the session lasted 50 minutes. Not 45.');
  await expect(form).toHaveCount(0);
  await expect(app.getByRole('button', { name: 'Add addendum' })).toBeVisible();
});
