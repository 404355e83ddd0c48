/**
 * The printed note (issue 5, item 7), checked the way a reader checks a PDF: rendered, written
 * to a real file, read back with poppler (`pdftotext`, `pdfinfo`) and page 1 turned into a PNG
 * with `pdftoppm`.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ExportFileNameError,
  noteExportFileName,
  NotePdfError,
  renderNotePdf,
  warmUpPdfRenderer,
  writeExportFile,
} from '../../../src/core/exports';
import { contentHash, DAP_TEMPLATE, richTextFromParagraphs, SUD_COUNSELING_TEMPLATE } from '../../../src/shared/notes';
import {
  draftSoapInput,
  groupInput,
  HASHES,
  IDS,
  longSoapInput,
  prose,
  signedSoapInput,
  soapContent,
  spanishSoapInput,
} from '../../fixtures/notes/pdf-notes';
import { tempDir } from '../../helpers/temp-dir';

/** The text of the PDF (or one page) as poppler lays it out: a table row stays on one line. */
const pdftotext = (file: string, page?: number): string =>
  execFileSync(
    'pdftotext',
    ['-layout', ...(page === undefined ? [] : ['-f', String(page), '-l', String(page)]), '-enc', 'UTF-8', file, '-'],
    { encoding: 'utf8' },
  );

const pdfPages = (file: string): number => {
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  return Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
};

/** Lines of extracted text, whitespace collapsed (a reader does not see line-break positions). */
const flat = (text: string): string => text.replace(/\s+/g, ' ');

async function renderToFile(input: Parameters<typeof renderNotePdf>[0], dir: string) {
  const rendered = await renderNotePdf(input);
  const fileName = noteExportFileName(input.note.id, input.generatedAt, input.timeZone);
  const path = await writeExportFile(dir, fileName, rendered.bytes);
  return { ...rendered, path, fileName };
}

function expectPageNumbers(file: string, pages: number, label: (page: number, pages: number) => string) {
  for (let page = 1; page <= pages; page++) expect(flat(pdftotext(file, page))).toContain(label(page, pages));
}

describe('the printed note', () => {
  it('a signed SOAP note with PHQ-9, a co-signature and an addendum reads as the record', async () => {
    const dir = tempDir();
    const input = signedSoapInput();
    const { path, fileName, pages, bytes } = await renderToFile(input, dir);

    // The file: no PHI in its name, only this user may read it, nothing left beside it.
    expect(fileName).toBe('note-2026-11-22-7c1e4b52.pdf');
    expect(path).toBe(join(dir, fileName));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([fileName]);
    expect(readFileSync(path).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(statSync(path).size).toBe(bytes.byteLength);
    expect(pdfPages(path)).toBe(pages);
    expect(pages).toBeGreaterThanOrEqual(2);

    const text = flat(pdftotext(path));
    // Who and what.
    expect(text).toContain('SOAP note');
    expect(text).toContain('María José Peña-Núñez');
    expect(text).toContain('Mar 9, 1984');
    expect(text).toContain('HC-20417');
    expect(text).toContain('Harbor Recovery Clinic');
    // The encounter.
    expect(text).toContain('Nov 20, 2026');
    expect(text).toContain('2:00 PM – 2:50 PM (America/New_York)');
    expect(text).toContain('Video');
    expect(text).toContain('Switched to audio only Yes, at 2:35 PM');
    expect(text).toContain('1208 Linden Ave, Apt 3, Dayton, OH 45410 (confirmed with the client)');
    expect(text).toContain('Clinician: Dana Whitfield, LCSW');
    // Every section, in template order, with its text.
    const order = ['Subjective', 'Objective', 'Assessment', 'Safety', 'Plan', 'Signature', 'Addenda'].map((heading) =>
      text.indexOf(` ${heading} `),
    );
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toContain(
      'Client reports three days of strong cravings after a family gathering on Sunday; she used her urge-surfing script twice and called her sponsor.',
    );
    expect(text).toContain('Attended 3 AA meetings this week');
    expect(text).toContain('1. Alcohol use disorder, moderate, in early remission');
    expect(text).toContain('Risk screen (C-SSRS) Low risk');
    expect(text).toContain('Continue weekly individual sessions and IOP group Tuesdays. (copied from previous note)');
    expect(text).toContain('Refer to prescriber for medication review this week.');
    expect(text).not.toContain('Refer to prescriber for medication review this week. (copied');
    expect(text).toContain('Next appointment Nov 27, 2026');
    // Measures: scored totals and bands.
    expect(text).toContain('PHQ-9 (depression)');
    expect(text).toContain('Total score: 14 of 27 Severity: Moderate');
    expect(text).toContain('Little interest or pleasure in doing things More than half the days (2)');
    expect(text).toContain('GAD-7 (anxiety)');
    expect(text).toContain('Total score: 8 of 21 Severity: Mild');
    expect(text).toContain('Rating: 6 of 10');
    expect(text).toMatch(/BAM \(Brief Addiction Monitor\) Not recorded/);
    // Signature block: signer, time in the clinician's zone, the whole hash, co-signature.
    const hash = contentHash(input.note.content);
    expect(input.note.signature?.contentHash).toBe(hash);
    expect(text).toContain('Electronically signed by Dana Whitfield, LCSW on Nov 20, 2026, 3:12 PM EST');
    expect(text).toContain(`Content hash (SHA-256): ${hash}`);
    expect(text).toContain('Co-signed by Renée Okafor, LPCC-S on Nov 21, 2026, 8:30 AM EST');
    expect(text).not.toContain('Late entry');
    expect(text).not.toContain('DRAFT');
    // The addendum, with its own signature and hash.
    expect(text).toContain('Addendum 1');
    expect(text).toContain(
      'Prescriber (Dr. Aguilar) confirmed the medication review for Nov 24; client informed by phone.',
    );
    expect(text).toContain('Electronically signed by Dana Whitfield, LCSW on Nov 21, 2026, 10:05 AM EST');
    expect(text).toContain(HASHES.addendum);
    // Every page: confidentiality, who generated it, page X of Y; the §2.32 notice once.
    expect(text).toContain('Do not redisclose without the client’s written consent.');
    expect(text).toContain('Generated by Dana Whitfield, LCSW on Nov 22, 2026, 11:45 AM EST');
    expect(text).toContain('Notice to any recipient of this record (42 CFR § 2.32)');
    expect(text).toContain('These rules prohibit you from using or disclosing this record');
    expectPageNumbers(path, pages, (page, total) => `Page ${page} of ${total}`);
    for (let page = 1; page <= pages; page++)
      expect(flat(pdftotext(path, page))).toContain('María José Peña-Núñez · DOB Mar 9, 1984');

    // Page 1 as a picture: a real PNG of a US Letter page at 60 dpi, with something drawn on it.
    const prefix = join(dir, 'page');
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', path, prefix]);
    const png = readdirSync(dir).find((name) => name.startsWith('page') && name.endsWith('.png'));
    expect(png).toBeDefined();
    const image = readFileSync(join(dir, png!));
    expect(image.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(image.readUInt32BE(16)).toBe(510); // 8.5 in × 60 dpi
    expect(image.readUInt32BE(20)).toBe(660); // 11 in × 60 dpi
    expect(image.byteLength).toBeGreaterThan(15_000); // a blank page compresses to ~1 KB
  });

  it('prints in Spanish with every accent intact', async () => {
    const dir = tempDir();
    const { path, pages } = await renderToFile(spanishSoapInput(), dir);
    const text = flat(pdftotext(path));
    expect(text).toContain('Nota SOAP');
    expect(text).toContain('Persona atendida María José Peña-Núñez');
    expect(text).toContain('Fecha de nacimiento 9 mar 1984');
    expect(text).toContain(
      'La señora Peña refiere que “la semana fue difícil”: ¿cómo dormir con tanta ansiedad? ¡Pero no consumió!',
    );
    expect(text).toContain('Acudió a tres reuniones de AA y habló con su madrina');
    expect(text).toContain('Subjetivo');
    expect(text).toContain('Evaluación');
    expect(text).toContain('Cambió a solo audio Sí, a las 2:35 p.m.');
    expect(text).toContain('PHQ-9 (depresión)');
    expect(text).toContain('Puntuación total: 14 de 27 Gravedad: Moderada');
    expect(text).toContain('Poco interés o placer en hacer cosas Más de la mitad de los días (2)');
    expect(text).toContain('Riesgo bajo');
    expect(text).toContain('(copiado de la nota anterior)');
    expect(text).toContain('Firmado electrónicamente por Dana Whitfield, LCSW el 20 nov 2026');
    expect(text).toContain('Hash del contenido (SHA-256):');
    expect(text).toContain('Cofirmado por Renée Okafor, LPCC-S');
    expect(text).toContain('Adenda 1');
    expect(text).toContain('No lo divulgue sin el consentimiento escrito de la persona atendida.');
    // The legal notice keeps its English wording, followed by the translation.
    expect(text).toContain('This record which has been disclosed to you is protected by Federal confidentiality rules');
    expect(text).toContain('Traducción (el texto oficial es el inglés de arriba)');
    expectPageNumbers(path, pages, (page, total) => `Página ${page} de ${total}`);
  });

  it('a draft says so on every page and carries no signature', async () => {
    const dir = tempDir();
    const { path, pages } = await renderToFile(draftSoapInput(), dir);
    const text = flat(pdftotext(path));
    expect(text).toContain('DRAFT — not signed. This note can still change and is not part of the signed record.');
    expect(text).toContain('Not signed (draft)');
    expect(text).not.toContain('Electronically signed');
    expect(text).not.toContain('Content hash');
    expect(text).not.toContain('Co-sign');
    expect(text).not.toContain('Addend');
    // The watermark is on every page.
    for (let page = 1; page <= pages; page++) expect(flat(pdftotext(path, page))).toContain('DRAFT — not signed');
  });

  it('a 3,000-word note runs over several pages, every word printed and every page numbered', async () => {
    const dir = tempDir();
    const input = longSoapInput(3_000);
    const { path, pages } = await renderToFile(input, dir);
    expect(pages).toBeGreaterThanOrEqual(5);
    expect(pdfPages(path)).toBe(pages);
    expectPageNumbers(path, pages, (page, total) => `Page ${page} of ${total}`);
    const text = flat(pdftotext(path));
    const paragraphs = prose(3_000);
    expect(text).toContain(paragraphs[0]);
    expect(text).toContain(paragraphs.at(-1));
    const sentences = paragraphs.join(' ').match(/Observation \d+ /g) ?? [];
    expect(sentences.length).toBeGreaterThan(190);
    for (const sentence of sentences) expect(text).toContain(sentence);
    // The signature block and the notice still come after all of it.
    expect(text.indexOf('Content hash (SHA-256)')).toBeGreaterThan(text.indexOf(paragraphs.at(-1)!));
  });

  it('one paragraph longer than a page is printed whole (never dropped to keep a heading with it)', async () => {
    const dir = tempDir();
    const input = signedSoapInput();
    const words = prose(2_500).join(' ');
    input.note.content.sections.subjective = {
      subjective: { type: 'richText', doc: richTextFromParagraphs([words]) },
    };
    input.note.signature = { ...input.note.signature!, contentHash: contentHash(input.note.content) };
    const { path } = await renderToFile(input, dir);
    const text = flat(pdftotext(path));
    expect(text).toContain(words.slice(0, 200));
    expect(text).toContain(words.slice(-200));
  });

  it('a group note prints the shared content and only this member’s section', async () => {
    const dir = tempDir();
    const { path } = await renderToFile(groupInput(IDS.client), dir);
    const text = flat(pdftotext(path));
    expect(text).toContain('IOP group note');
    expect(text).toContain('Topic Relapse prevention: high-risk situations');
    expect(text).toContain('Psychoeducation on the relapse cycle, then role-play of refusal skills.');
    expect(text).toContain('Member section: María José Peña-Núñez');
    expect(text).toContain('Participation Active');
    expect(text).toContain('Engaged, shared her refusal script with the group.');
    expect(text).toContain('Practise the refusal script before the holiday dinner.');
    expect(text).toContain('1 other member(s) attended this group; they are not named in this chart.');
    // Nothing of the other member: not their name, not their section.
    expect(text).not.toContain('Walter');
    expect(text).not.toContain('Brennan');
    expect(text).not.toContain('left early');
    expect(text).not.toContain('Thursday');
    expect(text).not.toContain('Minimal');

    const noMember = groupInput(IDS.client);
    delete noMember.memberId;
    await expect(renderNotePdf(noMember)).rejects.toMatchObject({ name: 'NotePdfError', code: 'MEMBER_REQUIRED' });
    await expect(renderNotePdf(groupInput('0f0f0f0f-1111-4222-8333-444444444444'))).rejects.toMatchObject({
      code: 'MEMBER_NOT_IN_NOTE',
    });
  });

  it('a protected note carries the protected-note notice', async () => {
    const dir = tempDir();
    const base = signedSoapInput();
    const content = {
      templateId: 'sud_counseling',
      templateVersion: 1,
      encounter: soapContent().encounter,
      sections: {
        session_content: {
          session_content: {
            type: 'richText' as const,
            doc: richTextFromParagraphs(['Explored shame after the lapse.']),
          },
        },
      },
    };
    const input = {
      ...base,
      template: SUD_COUNSELING_TEMPLATE,
      note: {
        ...base.note,
        templateId: 'sud_counseling',
        isProtected: true,
        content,
        cosign: 'none' as const,
        cosignDetail: null,
        addenda: [],
        signature: { ...base.note.signature!, contentHash: contentHash(content) },
      },
    };
    const { path } = await renderToFile(input, dir);
    const text = flat(pdftotext(path));
    expect(text).toContain('SUD counseling / psychotherapy note');
    expect(text).toContain('Protected note (psychotherapy / SUD counseling)');
    expect(text).toContain('Explored shame after the lapse.');
    expect(text).toContain('Clinical impressions Not recorded');
  });

  it('refuses a note rendered against another template, and names no content when it does', async () => {
    const input = signedSoapInput({ template: DAP_TEMPLATE });
    const error = await renderNotePdf(input).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotePdfError);
    expect(error).toMatchObject({ code: 'TEMPLATE_MISMATCH' });
    expect(String((error as Error).message)).not.toContain('María');

    const invalid = signedSoapInput({ generatedBy: '' });
    await expect(renderNotePdf(invalid)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('warmUpPdfRenderer', () => {
  it('renders its synthetic note in both languages (its input passes the same validation as a real note)', async () => {
    await expect(warmUpPdfRenderer(2)).resolves.toBeUndefined();
  });
});

describe('writeExportFile', () => {
  it('accepts only plain file names, replaces a file of the same name atomically, mode 0600', async () => {
    const dir = join(tempDir(), 'exports');
    for (const bad of ['../note.pdf', 'María.pdf', 'note.txt', '.hidden.pdf', 'a/b.pdf', ''])
      await expect(writeExportFile(dir, bad, new Uint8Array([1]))).rejects.toBeInstanceOf(ExportFileNameError);
    const first = await writeExportFile(dir, 'note-2026-11-22-7c1e4b52.pdf', new TextEncoder().encode('%PDF-first'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const second = await writeExportFile(dir, 'note-2026-11-22-7c1e4b52.pdf', new TextEncoder().encode('%PDF-2'));
    expect(second).toBe(first);
    expect(readFileSync(second, 'utf8')).toBe('%PDF-2');
    expect(statSync(second).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['note-2026-11-22-7c1e4b52.pdf']);
  });

  it('names the file by print date in the clinician’s zone and the note id only', () => {
    const at = new Date('2026-11-21T03:30:00.000Z'); // still Nov 20 in New York
    expect(noteExportFileName(IDS.note, at, 'America/New_York')).toBe('note-2026-11-20-7c1e4b52.pdf');
    expect(noteExportFileName(IDS.note, at, 'Europe/Madrid')).toBe('note-2026-11-21-7c1e4b52.pdf');
    expect(noteExportFileName(IDS.note, at, 'Not/AZone')).toBe('note-2026-11-21-7c1e4b52.pdf');
  });
});
