import { mkdirSync } from 'node:fs';
import { accessibilityViolations, expect, test } from './fixtures/harness';
import { openChart, richText, saveStatus, startNote } from './fixtures/notes';

/**
 * A very long note (a pasted document): near the longest note a workstation saves (4 MB) the
 * editor says how long it is; past it the save is refused in words and the text stays in the
 * editor.
 */
const SCREENSHOTS = 'test-results/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

test('a note near the 4 MB limit says how long it is; past the limit it is not saved, in words, and the text stays', async ({
  app,
}) => {
  test.setTimeout(300_000);
  await openChart(app, 2);
  await startNote(app, 'SOAP note', false);
  const notice = app.getByText(/^Long note: 3\.\d MB of the 4\.0 MB a note can hold\. Continue in a new note\.$/);
  await expect(notice).toHaveCount(0);

  // 3.8 MB pasted into Subjective: saved, with the notice.
  const subjective = richText(app, 'Subjective');
  await subjective.click();
  await app.keyboard.insertText('A pasted referral letter, long. '.repeat(120_000));
  await expect(saveStatus(app)).toHaveText(/^Saved \d/, { timeout: 120_000 });
  await expect(notice).toBeInViewport();
  await app.screenshot({ path: `${SCREENSHOTS}/notes-long-note.png` });
  expect(await accessibilityViolations(app)).toEqual([]);

  // Another 0.5 MB: more than a note may hold. Not saved, and the editor keeps every word.
  await app.keyboard.press('Control+End');
  await app.keyboard.insertText(' One more page. '.repeat(32_000));
  await expect(saveStatus(app)).toHaveText(/^Not saved: This note is too long to save/, { timeout: 120_000 });
  await expect(notice).toBeInViewport();
  // Retry stays whole beside the long message (its label not squeezed and cut).
  const retry = app.getByRole('button', { name: 'Retry' });
  await expect(retry).toBeInViewport({ ratio: 1 });
  const clipped = await retry.evaluate((button) =>
    [button, ...button.querySelectorAll('*')].some((element) => element.scrollWidth > element.clientWidth + 1),
  );
  expect(clipped).toBe(false);
  expect(await subjective.evaluate((element) => element.textContent?.endsWith('One more page. '))).toBe(true);
  await app.screenshot({ path: `${SCREENSHOTS}/notes-too-long.png` });
});
