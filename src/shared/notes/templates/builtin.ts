import {
  type FieldDefinition,
  type SectionDefinition,
  type TemplateDefinition,
  TEMPLATE_SCHEMA_VERSION,
} from './schema';

/**
 * The built-in note templates (version 1 each). Every template has the telehealth encounter
 * fields (date, start and end time, modality, audio-only switch and its time, the client's
 * verified location, participants); what signing requires is set per template below:
 * date, times and modality always; the client's location for telehealth (video or phone)
 * sessions; participants for group sessions.
 */
const S = 'notes.sections';
const F = 'notes.fields';

const narrative = (id: string, required = true): FieldDefinition => ({
  id,
  type: 'richText',
  labelKey: `${F}.${id}`,
  helpKey: `${F}.${id}_help`,
  ...(required ? { requiredForSigning: 'always' as const } : {}),
});

const plan = (): FieldDefinition => ({
  id: 'plan',
  type: 'richText',
  role: 'plan',
  labelKey: `${F}.plan`,
  helpKey: `${F}.plan_help`,
  requiredForSigning: 'always',
});

const measures = (): FieldDefinition[] => [
  { id: 'phq9', type: 'measure', measureId: 'phq9', labelKey: 'measures.phq9.title' },
  { id: 'gad7', type: 'measure', measureId: 'gad7', labelKey: 'measures.gad7.title' },
  { id: 'craving', type: 'measure', measureId: 'craving', labelKey: 'measures.craving.title' },
  { id: 'bam', type: 'measure', measureId: 'bam', labelKey: 'measures.bam.title' },
];

const riskSection = (): SectionDefinition => ({
  id: 'safety',
  titleKey: `${S}.safety`,
  scope: 'shared',
  fields: [
    { id: 'risk_screen', type: 'riskScreen', labelKey: `${F}.risk_screen`, requiredForSigning: 'always' },
    narrative('safety_notes', false),
  ],
});

const planSection = (): SectionDefinition => ({
  id: 'plan',
  titleKey: `${S}.plan`,
  scope: 'shared',
  fields: [plan(), { id: 'next_appointment', type: 'date', labelKey: `${F}.next_appointment` }],
});

const individualEncounter = {
  requiredForSigning: {
    date: 'always',
    startTime: 'always',
    endTime: 'always',
    modality: 'always',
    clientLocation: 'telehealth',
  },
} as const;

function individual(id: string, sections: SectionDefinition[], isProtected = false): TemplateDefinition {
  return {
    schemaVersion: TEMPLATE_SCHEMA_VERSION,
    id,
    version: 1,
    nameKey: `notes.templates.${id}.name`,
    descriptionKey: `notes.templates.${id}.description`,
    kind: 'individual',
    protected: isProtected,
    encounter: individualEncounter,
    sections,
  };
}

const shared = (id: string, fields: FieldDefinition[]): SectionDefinition => ({
  id,
  titleKey: `${S}.${id}`,
  scope: 'shared',
  fields,
});

export const SOAP_TEMPLATE = individual('soap', [
  shared('subjective', [narrative('subjective')]),
  shared('objective', [narrative('objective'), ...measures()]),
  shared('assessment', [narrative('assessment')]),
  riskSection(),
  planSection(),
]);

export const DAP_TEMPLATE = individual('dap', [
  shared('data', [narrative('data'), ...measures()]),
  shared('assessment', [narrative('assessment')]),
  riskSection(),
  planSection(),
]);

export const BIRP_TEMPLATE = individual('birp', [
  shared('behavior', [narrative('behavior'), ...measures()]),
  shared('intervention', [narrative('intervention')]),
  shared('response', [narrative('response')]),
  riskSection(),
  planSection(),
]);

export const GIRP_TEMPLATE = individual('girp', [
  shared('goals', [narrative('goals'), ...measures()]),
  shared('intervention', [narrative('intervention')]),
  shared('response', [narrative('response')]),
  riskSection(),
  planSection(),
]);

/**
 * IOP group note: the group's shared content once, then one section set per attending member.
 * Each member's part is filed to that member's chart with the shared content (see
 * `memberFilings`); other members never appear in it.
 */
export const IOP_GROUP_TEMPLATE: TemplateDefinition = {
  schemaVersion: TEMPLATE_SCHEMA_VERSION,
  id: 'iop_group',
  version: 1,
  nameKey: 'notes.templates.iop_group.name',
  descriptionKey: 'notes.templates.iop_group.description',
  kind: 'group',
  protected: false,
  encounter: {
    requiredForSigning: {
      date: 'always',
      startTime: 'always',
      endTime: 'always',
      modality: 'always',
      participants: 'always',
    },
  },
  sections: [
    shared('group', [
      { id: 'topic', type: 'text', labelKey: `${F}.topic`, requiredForSigning: 'always', maxLength: 200 },
      narrative('group_content'),
    ]),
    {
      id: 'member',
      titleKey: `${S}.member`,
      scope: 'member',
      fields: [
        {
          id: 'participation',
          type: 'choice',
          labelKey: `${F}.participation`,
          requiredForSigning: 'always',
          options: [
            { value: 'active', labelKey: `${F}.participation_options.active` },
            { value: 'moderate', labelKey: `${F}.participation_options.moderate` },
            { value: 'minimal', labelKey: `${F}.participation_options.minimal` },
            { value: 'disruptive', labelKey: `${F}.participation_options.disruptive` },
          ],
        },
        narrative('member_presentation'),
        { id: 'craving', type: 'measure', measureId: 'craving', labelKey: 'measures.craving.title' },
        { id: 'risk_screen', type: 'riskScreen', labelKey: `${F}.risk_screen`, requiredForSigning: 'always' },
        plan(),
      ],
    },
  ],
};

/**
 * SUD counseling / psychotherapy note: the author's process notes, kept apart from the progress
 * note. Protected: excluded from exports by default, hidden from the care team unless the
 * author shares it.
 */
export const SUD_COUNSELING_TEMPLATE = individual(
  'sud_counseling',
  [
    shared('session_content', [narrative('session_content'), narrative('clinical_impressions', false)]),
    shared('plan', [withoutRequirement(plan())]),
  ],
  true,
);

function withoutRequirement(field: FieldDefinition): FieldDefinition {
  const { requiredForSigning: _drop, ...rest } = field;
  return rest;
}

export const BUILT_IN_TEMPLATES: readonly TemplateDefinition[] = [
  SOAP_TEMPLATE,
  DAP_TEMPLATE,
  BIRP_TEMPLATE,
  GIRP_TEMPLATE,
  IOP_GROUP_TEMPLATE,
  SUD_COUNSELING_TEMPLATE,
];
