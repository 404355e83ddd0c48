import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, firstRun, startHarnessProcess, test, unlock } from './fixtures/harness';
import { openChart, richText, startNote, typeInto } from './fixtures/notes';

/**
 * The automatic lock never costs a draft: a clinician types into a note and walks away; the
 * workstation locks itself; after unlocking, the note opens again with every word.
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
