import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_TEMPLATES,
  excludedFromExportsByDefault,
  IOP_GROUP_TEMPLATE,
  SOAP_TEMPLATE,
  SUD_COUNSELING_TEMPLATE,
  type TemplateDefinition,
  validateTemplate,
  visibleToCareTeam,
} from '../../../src/shared/notes';

/** A small valid clinic template with its own strings. */
function clinicTemplate(): Record<string, unknown> {
  return {
    schemaVersion: 1,
    id: 'clinic_intake_followup',
    version: 3,
    nameKey: 'clinic.templates.followup.name',
    kind: 'individual',
    protected: false,
    encounter: { requiredForSigning: { date: 'always', modality: 'always', clientLocation: 'telehealth' } },
    sections: [
      {
        id: 'notes',
        titleKey: 'clinic.sections.notes',
        scope: 'shared',
        fields: [
          { id: 'narrative', type: 'richText', labelKey: 'clinic.fields.narrative', requiredForSigning: 'always' },
          { id: 'phq9', type: 'measure', measureId: 'phq9', labelKey: 'measures.phq9.title' },
          { id: 'risk', type: 'riskScreen', labelKey: 'notes.fields.risk_screen', requiredForSigning: 'always' },
          { id: 'plan', type: 'richText', role: 'plan', labelKey: 'notes.fields.plan' },
        ],
      },
    ],
    strings: {
      en: {
        'clinic.templates.followup.name': 'Follow-up',
        'clinic.sections.notes': 'Notes',
        'clinic.fields.narrative': 'Narrative',
      },
      es: { 'clinic.templates.followup.name': 'Seguimiento' },
    },
  };
}

function codes(json: unknown): string[] {
  const result = validateTemplate(json);
  return result.ok ? [] : result.problems.map((p) => p.code);
}

describe('built-in templates', () => {
  it('are all valid by the same schema a clinic template meets', () => {
    for (const template of BUILT_IN_TEMPLATES) {
      const result = validateTemplate(JSON.parse(JSON.stringify(template)));
      expect(result.ok ? [] : result.problems, template.id).toEqual([]);
    }
  });

  it('cover SOAP, DAP, BIRP, GIRP, the IOP group note and the protected SUD counseling note', () => {
    expect(BUILT_IN_TEMPLATES.map((t) => t.id)).toEqual(['soap', 'dap', 'birp', 'girp', 'iop_group', 'sud_counseling']);
    expect(new Set(BUILT_IN_TEMPLATES.map((t) => t.id)).size).toBe(BUILT_IN_TEMPLATES.length);
  });

  it('require modality always and the client location for telehealth; groups require participants', () => {
    for (const template of BUILT_IN_TEMPLATES) {
      expect(template.encounter.requiredForSigning.modality, template.id).toBe('always');
      expect(template.encounter.requiredForSigning.date, template.id).toBe('always');
    }
    expect(SOAP_TEMPLATE.encounter.requiredForSigning.clientLocation).toBe('telehealth');
    expect(IOP_GROUP_TEMPLATE.encounter.requiredForSigning.participants).toBe('always');
  });

  it('every non-protected template asks for a risk screen and has one plan field per scope', () => {
    for (const template of BUILT_IN_TEMPLATES.filter((t) => !t.protected)) {
      const fields = template.sections.flatMap((s) => s.fields);
      expect(
        fields.some((f) => f.type === 'riskScreen' && f.requiredForSigning === 'always'),
        template.id,
      ).toBe(true);
      expect(fields.filter((f) => f.type === 'richText' && f.role === 'plan').length, template.id).toBeGreaterThan(0);
    }
  });

  it('only the SUD counseling note is protected: out of exports, hidden unless shared', () => {
    expect(BUILT_IN_TEMPLATES.filter((t) => t.protected).map((t) => t.id)).toEqual(['sud_counseling']);
    expect(excludedFromExportsByDefault(SUD_COUNSELING_TEMPLATE)).toBe(true);
    expect(visibleToCareTeam(SUD_COUNSELING_TEMPLATE, false)).toBe(false);
    expect(visibleToCareTeam(SUD_COUNSELING_TEMPLATE, true)).toBe(true);
    expect(excludedFromExportsByDefault(SOAP_TEMPLATE)).toBe(false);
    expect(visibleToCareTeam(SOAP_TEMPLATE, false)).toBe(true);
  });

  it('the group note has shared and member sections', () => {
    expect(IOP_GROUP_TEMPLATE.sections.map((s) => s.scope)).toEqual(['shared', 'member']);
  });
});

describe('validateTemplate (a clinic template at the boundary)', () => {
  it('accepts a valid clinic template and returns it typed', () => {
    const result = validateTemplate(clinicTemplate());
    expect(result.ok).toBe(true);
    if (result.ok) {
      const template: TemplateDefinition = result.template;
      expect(template.version).toBe(3);
    }
  });

  it('reports shape errors with the path into the JSON', () => {
    const json = clinicTemplate();
    (json.sections as Record<string, unknown>[])[0]!.fields = [
      { id: 'x', type: 'slider', labelKey: 'notes.fields.plan' },
    ];
    const result = validateTemplate(json);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems[0]).toMatchObject({ code: 'invalid_shape', path: 'sections.0.fields.0.type' });
  });

  it.each([
    ['not an object', 'soap'],
    ['a missing version', { ...clinicTemplate(), version: undefined }],
    ['version 0', { ...clinicTemplate(), version: 0 }],
    ['an unknown top-level key', { ...clinicTemplate(), colour: 'blue' }],
    ['a bad id', { ...clinicTemplate(), id: 'Has Spaces' }],
    [
      'an unknown measure',
      {
        ...clinicTemplate(),
        sections: [
          {
            id: 's',
            titleKey: 'notes.sections.plan',
            scope: 'shared',
            fields: [{ id: 'm', type: 'measure', measureId: 'audit', labelKey: 'notes.fields.plan' }],
          },
        ],
      },
    ],
    [
      'a requirement that is not always/telehealth',
      { ...clinicTemplate(), encounter: { requiredForSigning: { date: 'sometimes' } } },
    ],
    ['an unknown encounter field', { ...clinicTemplate(), encounter: { requiredForSigning: { weather: 'always' } } }],
    ['no sections', { ...clinicTemplate(), sections: [] }],
  ])('rejects %s as invalid_shape', (_name, json) => {
    expect(codes(json)).toContain('invalid_shape');
  });

  it('rejects duplicate section and field ids', () => {
    const json = clinicTemplate();
    const sections = json.sections as Record<string, unknown>[];
    const section = sections[0]!;
    const fields = section.fields as Record<string, unknown>[];
    section.fields = [...fields, { ...fields[0] }];
    json.sections = [section, { ...section }];
    expect(codes(json)).toEqual(expect.arrayContaining(['duplicate_section_id', 'duplicate_field_id']));
  });

  it('rejects a member section in an individual template, and a group template without one', () => {
    const individual = clinicTemplate();
    (individual.sections as Record<string, unknown>[])[0]!.scope = 'member';
    expect(codes(individual)).toContain('member_section_in_individual_template');
    expect(codes({ ...clinicTemplate(), kind: 'group' })).toContain('group_template_without_member_section');
  });

  it('rejects a protected group template', () => {
    const json = JSON.parse(JSON.stringify(IOP_GROUP_TEMPLATE)) as Record<string, unknown>;
    expect(codes({ ...json, protected: true })).toContain('protected_group_template');
  });

  it('rejects two plan fields in one scope, repeated choice options and min above max', () => {
    const json = clinicTemplate();
    const section = (json.sections as Record<string, unknown>[])[0]!;
    section.fields = [
      ...(section.fields as unknown[]),
      { id: 'plan2', type: 'richText', role: 'plan', labelKey: 'notes.fields.plan' },
      {
        id: 'pick',
        type: 'choice',
        labelKey: 'notes.fields.plan',
        options: [
          { value: 'a', labelKey: 'notes.fields.plan' },
          { value: 'a', labelKey: 'notes.fields.plan' },
        ],
      },
      { id: 'n', type: 'number', labelKey: 'notes.fields.plan', min: 5, max: 1 },
    ];
    expect(codes(json)).toEqual(
      expect.arrayContaining(['multiple_plan_fields_in_scope', 'duplicate_option_value', 'min_above_max']),
    );
  });

  it('requires English text for every key, and no Spanish-only keys', () => {
    const json = clinicTemplate();
    json.strings = { en: { 'clinic.sections.notes': 'Notes', 'clinic.fields.narrative': 'N' } };
    const result = validateTemplate(json);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems).toContainEqual(expect.objectContaining({ code: 'unknown_string_key', path: 'nameKey' }));
    const spanishOnly = clinicTemplate();
    spanishOnly.strings = {
      ...(spanishOnly.strings as Record<string, unknown>),
      es: { 'clinic.only.spanish': 'Hola' },
    };
    expect(codes(spanishOnly)).toContain('unknown_string_key');
  });
});
