/**
 * The words of a note, as full-text search indexes them: the plain text of its template-shaped
 * `content` (./content.ts). The workstation's cache computes the words it searches from the stored
 * content with this (the SQL function `note_text`, src/core/store/schema-functions.ts), and the
 * pull worker computes them for each pulled note. Defensive by design: content written by an
 * older or newer workstation still yields text (unknown shapes give their strings).
 */

/** Field keys whose strings are codes, not words a clinician would search for. */
const CODE_KEYS = new Set([
  'type',
  'templateId',
  'measureId',
  'timeZone',
  'refId',
  'kind',
  'result',
  'noteId',
  'sectionId',
  'fieldId',
  'href',
  'src',
]);

/** The words of a note: its sections (and group members' sections) in order, else every string in it. */
export function noteText(content: Record<string, unknown>): string {
  const parts: string[] = [];
  const sections = content['sections'];
  if (isObject(sections)) {
    collectSections(sections, parts);
    const members = content['members'];
    if (isObject(members)) {
      for (const member of Object.values(members)) {
        if (isObject(member) && isObject(member['sections'])) collectSections(member['sections'], parts);
      }
    }
  } else {
    collectStrings(content, parts, 0);
  }
  return parts.filter((part) => part.trim() !== '').join('\n');
}

function collectSections(sections: Record<string, unknown>, parts: string[]): void {
  for (const fields of Object.values(sections)) {
    if (!isObject(fields)) continue;
    for (const value of Object.values(fields)) {
      if (!isObject(value)) continue;
      if (value['type'] === 'richText') parts.push(richText(value['doc'], 0));
      else if (value['type'] === 'text' && typeof value['value'] === 'string') parts.push(value['value']);
      else if (value['type'] === 'riskScreen' && typeof value['reason'] === 'string') parts.push(value['reason']);
    }
  }
}

/** Plain text of a ProseMirror/tiptap document: block nodes on their own lines. */
function richText(node: unknown, depth: number): string {
  if (!isObject(node) || depth > 64) return '';
  if (typeof node['text'] === 'string') return node['text'];
  const children = Array.isArray(node['content']) ? node['content'].map((child) => richText(child, depth + 1)) : [];
  const type = node['type'];
  const inline = type === 'paragraph' || type === 'heading' || type === 'text' || type === 'hardBreak';
  return children.join(inline ? '' : '\n');
}

function collectStrings(value: unknown, parts: string[], depth: number): void {
  if (depth > 64) return;
  if (typeof value === 'string') parts.push(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, parts, depth + 1);
  else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) if (!CODE_KEYS.has(key)) collectStrings(child, parts, depth + 1);
  }
}

/** A plain object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
