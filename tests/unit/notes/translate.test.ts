import { describe, expect, it } from 'vitest';
import { measureStrings } from '../../../src/shared/measures/strings';
import { noteStrings } from '../../../src/shared/notes/strings';
import { createTranslator, flattenStrings, interpolate } from '../../../src/shared/notes/translate';

describe('translate', () => {
  it('reads nested tables by dotted key, in the requested language', () => {
    const es = createTranslator('es', [noteStrings, measureStrings]);
    expect(es('notes.fields.plan_help')).toBe('Próximos pasos, tareas, derivaciones, próxima cita');
    expect(es('measures.bands.moderately_severe')).toBe('Moderadamente grave');
    const en = createTranslator('en', [noteStrings, measureStrings]);
    expect(en('notes.templates.soap.name')).toBe('SOAP note');
  });

  it('falls back to English, then to the key itself', () => {
    const clinic = {
      en: { 'clinic.fields.housing': 'Housing status', 'clinic.fields.work': 'Work' },
      es: { 'clinic.fields.work': 'Trabajo' },
    };
    const es = createTranslator('es', [clinic, noteStrings]);
    expect(es('clinic.fields.work')).toBe('Trabajo');
    expect(es('clinic.fields.housing')).toBe('Housing status');
    expect(es('clinic.fields.unknown')).toBe('clinic.fields.unknown');
    const noSpanish = createTranslator('es', [{ en: { 'clinic.x.y': 'Only English' } }]);
    expect(noSpanish('clinic.x.y')).toBe('Only English');
  });

  it('a source listed first wins (a clinic template’s own text before the built-in)', () => {
    const clinic = { en: { 'notes.sections.plan': 'Plan of care' } };
    expect(createTranslator('en', [clinic, noteStrings])('notes.sections.plan')).toBe('Plan of care');
    expect(createTranslator('es', [clinic, noteStrings])('notes.sections.plan')).toBe('Plan');
  });

  it('interpolates {{name}} with strings and numbers and leaves unknown names as written', () => {
    const t = createTranslator('en', [measureStrings]);
    expect(t('measures.status.incomplete', { count: 3 })).toBe('Incomplete: 3 item(s) unanswered');
    expect(interpolate('{{ a }} and {{b}} and {{c}}', { a: 'x', b: 0 })).toBe('x and 0 and {{c}}');
    expect(interpolate('no values {{a}}')).toBe('no values {{a}}');
  });

  it('flattens a table once and reuses it', () => {
    expect(flattenStrings(noteStrings.en)).toBe(flattenStrings(noteStrings.en));
    expect(flattenStrings({ a: { b: 'c' }, 'd.e': 'f' })).toEqual(
      new Map([
        ['a.b', 'c'],
        ['d.e', 'f'],
      ]),
    );
  });
});
