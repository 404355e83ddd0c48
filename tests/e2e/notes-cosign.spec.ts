import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands } from '../../src/server/admin/commands';
import type { Clinic } from './fixtures/clinic';
import {
  accessibilityViolations,
  createPassphrase,
  expect,
  PASSPHRASE,
  signIn,
  startHarnessProcess,
  test,
} from './fixtures/harness';
import { fillSoapForSigning, openChart, openNote, signNote, startNote, syncNow, typeInto } from './fixtures/notes';

/**
 * Co-signature: a clinician who needs supervision signs a note; it waits in the supervisor's
 * co-sign queue on the supervisor's own workstation, who returns it with a comment; the author
 * reads "Returned: …" and answers with an addendum; the supervisor co-signs.
 */
const SCREENSHOTS = 'test-results/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

const CLINICIAN = 'demo.clinician2';
const SUPERVISOR = 'demo.supervisor';

async function requireCosign(clinic: Clinic, value: boolean): Promise<void> {
  await commands['set-requires-cosign']!.run(
    clinic.server.database.db,
    { username: CLINICIAN, value: String(value) },
    { stdout: () => undefined, stderr: () => undefined, readStdin: () => Promise.resolve('') },
  );
}

test('a supervisee’s signed note waits in the supervisor’s co-sign queue, is returned with a comment, answered with an addendum and co-signed', async ({
  page,
  harness,
  clinic,
  browser,
}) => {
  test.setTimeout(420_000);
  await requireCosign(clinic, true);
  const supervisorDir = mkdtempSync(join(tmpdir(), 'continuum-e2e-supervisor-'));
  const supervisorHarness = await startHarnessProcess(supervisorDir);
  const context = await browser.newContext();
  try {
    // The clinician writes and signs a note.
    await page.goto(harness.url);
    await signIn(page, clinic, CLINICIAN);
    await createPassphrase(page);
    const { name } = await openChart(page);
    const noteId = await startNote(page, 'SOAP note', false);
    await fillSoapForSigning(page, 'cosign-check');
    await signNote(page, PASSPHRASE);
    const cosign = page.getByRole('region', { name: 'Co-signature' });
    await expect(cosign.getByText('Waiting for the supervisor’s co-signature.')).toBeVisible();
    await expect(page.getByText('Co-sign pending', { exact: true }).first()).toBeVisible();
    await syncNow(page);

    // The supervisor, on their own workstation, finds it in the queue.
    const supervisor = await context.newPage();
    await supervisor.goto(supervisorHarness.url);
    await signIn(supervisor, clinic, SUPERVISOR);
    await createPassphrase(supervisor);
    await supervisor
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Co-sign queue' })
      .click();
    await expect(supervisor.getByRole('heading', { level: 2, name: 'Co-sign queue' })).toBeVisible();
    const queue = supervisor.getByRole('table', { name: 'Notes waiting for your co-signature' });
    const row = queue.getByRole('row').filter({ has: supervisor.locator(`a[href="#/notes/${noteId}"]`) });
    await expect(row).toBeVisible({ timeout: 90_000 });
    await expect(row.getByRole('cell', { name: 'Robin Sample' })).toBeVisible();
    expect(await accessibilityViolations(supervisor)).toEqual([]);
    await supervisor.screenshot({ path: `${SCREENSHOTS}/notes-cosign-queue.png` });

    // Read it, then return it with a comment.
    await row.getByRole('link', { name: `${name}: SOAP note` }).click();
    await expect(supervisor.getByText('Client reports a steady week (cosign-check).')).toBeVisible();
    await supervisor.getByRole('button', { name: 'Return with comment' }).click();
    const returnDialog = supervisor.getByRole('dialog', { name: 'Return this note' });
    await returnDialog.getByLabel('Comment for the author').fill('Please add how the safety plan was reviewed.');
    await returnDialog.getByRole('button', { name: 'Return to the author' }).click();
    await expect(returnDialog).toBeHidden();
    await expect(
      supervisor
        .getByRole('region', { name: 'Co-signature' })
        .getByText('Returned: Please add how the safety plan was reviewed.'),
    ).toBeVisible();
    await syncNow(supervisor);

    // The author reads the comment and answers with an addendum.
    await syncNow(page);
    await openNote(page, noteId);
    await expect(cosign.getByText('Returned: Please add how the safety plan was reviewed.')).toBeVisible({
      timeout: 30_000,
    });
    await expect(cosign.getByText(/^Returned by Pat Placeholder on /)).toBeVisible();
    expect(await accessibilityViolations(page)).toEqual([]);
    await cosign.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}/notes-returned.png` });
    await page.getByRole('button', { name: 'Add addendum' }).click();
    await typeInto(page, 'Addendum text', 'Safety plan reviewed line by line; client keeps it on their phone.');
    const addendum = page.getByRole('region', { name: 'New addendum' });
    await addendum.getByLabel('Workstation passphrase').fill(PASSPHRASE);
    await addendum.getByRole('button', { name: 'Sign addendum' }).click();
    const addenda = page.getByRole('region', { name: 'Addendum' });
    await expect(addenda.getByText('Safety plan reviewed line by line; client keeps it on their phone.')).toBeVisible();
    await expect(addenda.getByText(/^Addendum by Robin Sample, signed /)).toBeVisible();
    await expect(page.getByText('Addendum ×1', { exact: true })).toBeVisible();
    await syncNow(page);

    // The supervisor co-signs.
    await syncNow(supervisor);
    await openNote(supervisor, noteId);
    await expect(
      supervisor.getByText('Safety plan reviewed line by line; client keeps it on their phone.'),
    ).toBeVisible({
      timeout: 30_000,
    });
    await supervisor.getByRole('button', { name: 'Co-sign', exact: true }).click();
    const cosignDialog = supervisor.getByRole('dialog', { name: 'Co-sign this note' });
    await cosignDialog.getByLabel('Workstation passphrase').fill(PASSPHRASE);
    await cosignDialog.getByRole('button', { name: 'Co-sign' }).click();
    await expect(cosignDialog).toBeHidden();
    await expect(
      supervisor.getByRole('region', { name: 'Co-signature' }).getByText(/^Co-signed by Pat Placeholder on /),
    ).toBeVisible();
    await supervisor.screenshot({ path: `${SCREENSHOTS}/notes-cosigned.png`, fullPage: true });
    await syncNow(supervisor);

    // The author sees the co-signature.
    await syncNow(page);
    await openNote(page, noteId);
    await expect(cosign.getByText(/^Co-signed by Pat Placeholder on /)).toBeVisible({ timeout: 30_000 });
  } finally {
    await context.close();
    await supervisorHarness.stop();
    rmSync(supervisorDir, { recursive: true, force: true });
    await requireCosign(clinic, false);
  }
});
