import { z } from 'zod';
import { MEASURE_IDS } from '../../measures/definition';
import { ENCOUNTER_FIELDS } from '../content';

/**
 * A note template: versioned data, never code. The built-in ones are in ./builtin.ts; a clinic
 * may add its own as JSON (server → workstations), validated here with `validateTemplate`.
 *
 * Text is referenced by string key. A clinic template may bring its own strings (`strings.en`,
 * optional `strings.es`); every key it uses must exist in English, either among the built-in
 * strings or in its own.
 */
export const TEMPLATE_SCHEMA_VERSION = 1;

const idSchema = z.string().regex(/^[a-z][a-z0-9_]{0,47}$/, 'an id is lower_snake_case, 1–48 characters');
const keySchema = z
  .string()
  .regex(/^[a-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$/, 'a string key is dotted, e.g. "notes.fields.plan"');

/** When a field must be filled before signing: always, or only for telehealth (video/phone). */
export const requirementSchema = z.enum(['always', 'telehealth']);
export type Requirement = z.infer<typeof requirementSchema>;

const base = {
  id: idSchema,
  labelKey: keySchema,
  helpKey: keySchema.optional(),
  /** Absent: optional. */
  requiredForSigning: requirementSchema.optional(),
};

export const fieldDefinitionSchema = z.discriminatedUnion('type', [
  z
    .object({
      ...base,
      type: z.literal('richText'),
      /** `plan`: the text "Copy forward" brings into the next note. */
      role: z.enum(['plan']).optional(),
    })
    .strict(),
  z.object({ ...base, type: z.literal('text'), maxLength: z.int().positive().optional() }).strict(),
  z
    .object({
      ...base,
      type: z.literal('choice'),
      multiple: z.boolean().optional(),
      options: z.array(z.object({ value: idSchema, labelKey: keySchema }).strict()).min(1),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('number'),
      min: z.number().optional(),
      max: z.number().optional(),
      integer: z.boolean().optional(),
    })
    .strict(),
  z.object({ ...base, type: z.literal('date') }).strict(),
  z.object({ ...base, type: z.literal('time') }).strict(),
  z.object({ ...base, type: z.literal('boolean') }).strict(),
  /** An embedded measure (scored by src/shared/measures). Required means complete, not just started. */
  z.object({ ...base, type: z.literal('measure'), measureId: z.enum(MEASURE_IDS) }).strict(),
  /** The C-SSRS screener result (or "not done" with a reason). */
  z.object({ ...base, type: z.literal('riskScreen') }).strict(),
]);
export type FieldDefinition = z.infer<typeof fieldDefinitionSchema>;

export const sectionDefinitionSchema = z
  .object({
    id: idSchema,
    titleKey: keySchema,
    /** `shared`: once per note. `member` (group notes): once per attending member, filed to their chart. */
    scope: z.enum(['shared', 'member']),
    fields: z.array(fieldDefinitionSchema).min(1),
  })
  .strict();
export type SectionDefinition = z.infer<typeof sectionDefinitionSchema>;

const encounterRequirements = z.object(
  Object.fromEntries(ENCOUNTER_FIELDS.map((field) => [field, requirementSchema.optional()])) as Record<
    (typeof ENCOUNTER_FIELDS)[number],
    z.ZodOptional<typeof requirementSchema>
  >,
);

const stringTable = z.record(keySchema, z.string().min(1));

export const templateDefinitionSchema = z
  .object({
    schemaVersion: z.literal(TEMPLATE_SCHEMA_VERSION),
    id: idSchema,
    /** Bump on any change; notes record the version they were written with. */
    version: z.int().positive(),
    nameKey: keySchema,
    descriptionKey: keySchema.optional(),
    kind: z.enum(['individual', 'group']),
    /**
     * SUD counseling / psychotherapy notes: excluded from exports by default and hidden from the
     * care team unless the author shares the note.
     */
    protected: z.boolean(),
    /** Which telehealth encounter fields signing requires (every template has all of them). */
    encounter: z.object({ requiredForSigning: encounterRequirements.strict() }).strict(),
    sections: z.array(sectionDefinitionSchema).min(1),
    /** A clinic template's own strings. */
    strings: z.object({ en: stringTable, es: stringTable.optional() }).strict().optional(),
  })
  .strict();
export type TemplateDefinition = z.infer<typeof templateDefinitionSchema>;

export type TemplateProblemCode =
  | 'invalid_shape'
  | 'duplicate_section_id'
  | 'duplicate_field_id'
  | 'duplicate_option_value'
  | 'member_section_in_individual_template'
  | 'group_template_without_member_section'
  | 'protected_group_template'
  | 'min_above_max'
  | 'multiple_plan_fields_in_scope'
  | 'unknown_string_key';

export interface TemplateProblem {
  code: TemplateProblemCode;
  /** Dotted path into the template JSON, e.g. `sections.2.fields.0.id`. */
  path: string;
  message: string;
}

export type TemplateValidation =
  { ok: true; template: TemplateDefinition } | { ok: false; problems: TemplateProblem[] };

/** Every string key a template references, with where it is referenced. */
export function templateStringKeys(template: TemplateDefinition): { key: string; path: string }[] {
  const keys: { key: string; path: string }[] = [{ key: template.nameKey, path: 'nameKey' }];
  if (template.descriptionKey) keys.push({ key: template.descriptionKey, path: 'descriptionKey' });
  template.sections.forEach((section, s) => {
    keys.push({ key: section.titleKey, path: `sections.${s}.titleKey` });
    section.fields.forEach((field, f) => {
      keys.push({ key: field.labelKey, path: `sections.${s}.fields.${f}.labelKey` });
      if (field.helpKey) keys.push({ key: field.helpKey, path: `sections.${s}.fields.${f}.helpKey` });
      if (field.type === 'choice')
        field.options.forEach((option, o) =>
          keys.push({ key: option.labelKey, path: `sections.${s}.fields.${f}.options.${o}.labelKey` }),
        );
    });
  });
  return keys;
}

function semanticProblems(template: TemplateDefinition, knownKeys: ReadonlySet<string>): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const add = (code: TemplateProblemCode, path: string, message: string) => problems.push({ code, path, message });
  const sectionIds = new Set<string>();
  const planScopes = new Map<string, number>();
  template.sections.forEach((section, s) => {
    if (sectionIds.has(section.id))
      add('duplicate_section_id', `sections.${s}.id`, `section id "${section.id}" is used twice`);
    sectionIds.add(section.id);
    if (template.kind === 'individual' && section.scope === 'member')
      add(
        'member_section_in_individual_template',
        `sections.${s}.scope`,
        'only a group template has per-member sections',
      );
    const fieldIds = new Set<string>();
    section.fields.forEach((field, f) => {
      const path = `sections.${s}.fields.${f}`;
      if (fieldIds.has(field.id))
        add('duplicate_field_id', `${path}.id`, `field id "${field.id}" is used twice in section "${section.id}"`);
      fieldIds.add(field.id);
      if (field.type === 'choice') {
        const values = field.options.map((option) => option.value);
        if (new Set(values).size !== values.length)
          add('duplicate_option_value', `${path}.options`, `field "${field.id}" repeats an option value`);
      }
      if (field.type === 'number' && field.min !== undefined && field.max !== undefined && field.min > field.max)
        add('min_above_max', path, `field "${field.id}": min ${field.min} > max ${field.max}`);
      if (field.type === 'richText' && field.role === 'plan')
        planScopes.set(section.scope, (planScopes.get(section.scope) ?? 0) + 1);
    });
  });
  for (const [scope, count] of planScopes)
    if (count > 1)
      add('multiple_plan_fields_in_scope', 'sections', `${count} plan fields in ${scope} sections; at most one`);
  if (template.kind === 'group' && !template.sections.some((section) => section.scope === 'member'))
    add('group_template_without_member_section', 'sections', 'a group template needs at least one member section');
  if (template.kind === 'group' && template.protected)
    add('protected_group_template', 'protected', 'protected (psychotherapy) notes are individual notes');
  const own = new Set(Object.keys(template.strings?.en ?? {}));
  for (const { key, path } of templateStringKeys(template))
    if (!knownKeys.has(key) && !own.has(key))
      add('unknown_string_key', path, `no English text for "${key}" (add it to strings.en)`);
  for (const locale of ['es'] as const) {
    const table = template.strings?.[locale];
    if (!table) continue;
    for (const key of Object.keys(table))
      if (!own.has(key)) add('unknown_string_key', `strings.${locale}.${key}`, `"${key}" is not in strings.en`);
  }
  return problems;
}

/**
 * Validate a template (a clinic's JSON) at the boundary. `knownKeys` are the built-in string
 * keys (`builtInStringKeys()` in ../strings); returns the typed template or every problem found.
 */
export function validateTemplateWith(json: unknown, knownKeys: ReadonlySet<string>): TemplateValidation {
  const parsed = templateDefinitionSchema.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        code: 'invalid_shape',
        path: issue.path.map(String).join('.'),
        message: issue.message,
      })),
    };
  const problems = semanticProblems(parsed.data, knownKeys);
  return problems.length === 0 ? { ok: true, template: parsed.data } : { ok: false, problems };
}
