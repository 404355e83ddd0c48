import { measureStrings } from '../measures/strings';
import { noteStrings } from './strings';
import { type TemplateValidation, validateTemplateWith } from './templates/schema';

export * from './canonical';
export * from './content';
export * from './copy-forward';
export * from './group';
export * from './protection';
export * from './sha256';
export * from './signing';
export * from './templates/builtin';
export * from './templates/schema';

function flattenKeys(value: unknown, prefix: string, out: Set<string>): Set<string> {
  if (typeof value === 'object' && value !== null)
    for (const [key, child] of Object.entries(value)) flattenKeys(child, prefix ? `${prefix}.${key}` : key, out);
  else out.add(prefix);
  return out;
}

let builtInKeys: ReadonlySet<string> | undefined;

/** The English string keys the workstation ships (notes and measures). */
export function builtInStringKeys(): ReadonlySet<string> {
  builtInKeys ??= flattenKeys(measureStrings.en, '', flattenKeys(noteStrings.en, '', new Set()));
  return builtInKeys;
}

/** Validate a template (e.g. a clinic's JSON file): the typed template, or every problem with its path. */
export function validateTemplate(json: unknown): TemplateValidation {
  return validateTemplateWith(json, builtInStringKeys());
}
