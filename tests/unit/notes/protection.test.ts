import { describe, expect, it } from 'vitest';
import {
  builtInProtection,
  isProtectedContent,
  noteVisibleTo,
  templateProtection,
  type NoteAudienceFacts,
} from '../../../src/shared/notes/protection';

/** The shared rule of protected notes (src/shared/notes/protection.ts), used by server and workstation. */
describe('protected note templates', () => {
  it('the built-in SUD counseling template is protected, the progress-note templates are not', () => {
    expect(builtInProtection('sud_counseling', 1)).toBe(true);
    for (const id of ['soap', 'dap', 'birp', 'girp', 'iop_group']) expect(builtInProtection(id, 1)).toBe(false);
    expect(isProtectedContent({ templateId: 'sud_counseling', templateVersion: 1, sections: {} })).toBe(true);
    expect(isProtectedContent({ templateId: 'soap', templateVersion: 1 })).toBe(false);
    expect(isProtectedContent(null)).toBe(false);
  });

  it('a clinic template decides by the version the note names, and fails closed on an unknown version', () => {
    const rule = templateProtection([
      { id: 'clinic_process', version: 1, protected: true },
      { id: 'clinic_review', version: 1, protected: false },
      { id: 'clinic_review', version: 2, protected: true },
    ]);
    expect(rule('clinic_process', 1)).toBe(true);
    expect(rule('clinic_review', 1)).toBe(false);
    expect(rule('clinic_review', 2)).toBe(true);
    // A version this side does not know, of a template with a protected version: protected.
    expect(rule('clinic_review', 3)).toBe(true);
    expect(rule('clinic_process', undefined)).toBe(true);
    // A template nobody knows: nothing says it is protected.
    expect(rule('clinic_unknown', 1)).toBe(false);
    expect(rule(undefined, 1)).toBe(false);
    // Without the clinic's templates, their notes are not known to be protected.
    expect(builtInProtection('clinic_process', 1)).toBe(false);
  });
});

describe('who sees a protected note', () => {
  const note = (overrides: Partial<NoteAudienceFacts> = {}): NoteAudienceFacts => ({
    authorId: 'author',
    isProtected: true,
    sharing: null,
    cosign: null,
    authorSupervisorId: 'supervisor',
    ...overrides,
  });

  it('the author always; the care team once shared; the supervisor while it waits for them', () => {
    expect(noteVisibleTo(note(), 'author')).toBe(true);
    expect(noteVisibleTo(note(), 'colleague')).toBe(false);
    expect(noteVisibleTo(note(), 'supervisor')).toBe(false);
    expect(noteVisibleTo(note({ sharing: { careTeam: true } }), 'colleague')).toBe(true);
    expect(noteVisibleTo(note({ sharing: { careTeam: false } }), 'colleague')).toBe(false);
    for (const status of ['pending', 'returned', null]) {
      expect(noteVisibleTo(note({ cosign: { required: true, status } }), 'supervisor')).toBe(true);
      expect(noteVisibleTo(note({ cosign: { required: true, status } }), 'colleague')).toBe(false);
    }
    expect(noteVisibleTo(note({ cosign: { required: true, status: 'cosigned' } }), 'supervisor')).toBe(false);
    expect(noteVisibleTo(note({ cosign: { required: false, status: null } }), 'supervisor')).toBe(false);
    expect(
      noteVisibleTo(
        note({ cosign: { required: true, status: 'cosigned' }, sharing: { careTeam: true } }),
        'supervisor',
      ),
    ).toBe(true);
  });

  it('a note that is not protected: everyone in scope', () => {
    expect(noteVisibleTo(note({ isProtected: false }), 'colleague')).toBe(true);
  });
});
