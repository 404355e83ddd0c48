import type { CaseloadAlert, CaseloadRow } from '../../shared/caseload/caseload';

/** What the Caseload page filters and sorts by; kept in the address so Back returns to it. */
export const SORT_KEYS = ['name', 'next', 'daysSince', 'phq9', 'craving'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';

export interface CaseloadView {
  query: string;
  program: '' | CaseloadRow['program'];
  riskFlag: string;
  /** '' all clients, 'any' with at least one alert, or one alert code. */
  alert: '' | 'any' | CaseloadAlert;
  sort: SortKey;
  direction: SortDirection;
}

export const DEFAULT_VIEW: CaseloadView = {
  query: '',
  program: '',
  riskFlag: '',
  alert: '',
  sort: 'name',
  direction: 'asc',
};

/** The direction a column sorts in when first chosen: what needs attention comes first. */
export const FIRST_DIRECTION: Record<SortKey, SortDirection> = {
  name: 'asc',
  next: 'asc',
  daysSince: 'desc',
  phq9: 'desc',
  craving: 'desc',
};

/** Case- and accent-insensitive ("jose" finds "José"). */
export function normalise(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();
}

function matchesQuery(row: CaseloadRow, query: string): boolean {
  const words = normalise(query).split(/\s+/u).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = normalise(`${row.displayName} ${row.givenName} ${row.familyName}`);
  return words.every((word) => haystack.includes(word));
}

const latest = (points: ReadonlyArray<{ value: number }>): number | null => points.at(-1)?.value ?? null;

function sortValue(row: CaseloadRow, key: SortKey): number | string | null {
  switch (key) {
    case 'name':
      return row.displayName;
    case 'next':
      return row.nextAppointmentAt;
    case 'daysSince':
      return row.daysSinceLastSession;
    case 'phq9':
      return latest(row.phq9);
    case 'craving':
      return latest(row.craving);
  }
}

/** Filter, then sort; rows without a value for the sort column always come last. */
export function applyView(rows: readonly CaseloadRow[], view: CaseloadView, language: string): CaseloadRow[] {
  const collator = new Intl.Collator(language, { sensitivity: 'base', numeric: true });
  const filtered = rows.filter(
    (row) =>
      matchesQuery(row, view.query) &&
      (view.program === '' || row.program === view.program) &&
      (view.riskFlag === '' || row.riskFlags.includes(view.riskFlag)) &&
      (view.alert === '' || (view.alert === 'any' ? row.alerts.length > 0 : row.alerts.includes(view.alert))),
  );
  const sign = view.direction === 'asc' ? 1 : -1;
  return filtered.sort((a, b) => {
    const va = sortValue(a, view.sort);
    const vb = sortValue(b, view.sort);
    if (va === null && vb !== null) return 1;
    if (vb === null && va !== null) return -1;
    let order = 0;
    if (va !== null && vb !== null) {
      order = typeof va === 'number' && typeof vb === 'number' ? va - vb : collator.compare(String(va), String(vb));
    }
    return sign * order || collator.compare(a.displayName, b.displayName) || a.id.localeCompare(b.id);
  });
}

/** The risk flags present on the caseload, for the filter. */
export function riskFlagsOf(rows: readonly CaseloadRow[]): string[] {
  return [...new Set(rows.flatMap((row) => row.riskFlags))].sort();
}

export function viewFromParams(params: URLSearchParams): CaseloadView {
  const sort = params.get('sort');
  const direction = params.get('dir');
  const program = params.get('program');
  return {
    query: params.get('q') ?? '',
    program: program === 'aftercare' || program === 'iop' ? program : '',
    riskFlag: params.get('risk') ?? '',
    alert: (params.get('alert') ?? '') as CaseloadView['alert'],
    sort: (SORT_KEYS as readonly string[]).includes(sort ?? '') ? (sort as SortKey) : DEFAULT_VIEW.sort,
    direction: direction === 'asc' || direction === 'desc' ? direction : DEFAULT_VIEW.direction,
  };
}

export function viewToParams(view: CaseloadView): URLSearchParams {
  const params = new URLSearchParams();
  if (view.query) params.set('q', view.query);
  if (view.program) params.set('program', view.program);
  if (view.riskFlag) params.set('risk', view.riskFlag);
  if (view.alert) params.set('alert', view.alert);
  if (view.sort !== DEFAULT_VIEW.sort || view.direction !== DEFAULT_VIEW.direction) {
    params.set('sort', view.sort);
    params.set('dir', view.direction);
  }
  return params;
}
