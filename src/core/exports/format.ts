import { type Language } from '../../shared/notes/translate';

/**
 * Dates and times as a reader of a printed record expects them, in the document's language.
 * Dates without a time (an encounter date, a date of birth) are calendar dates: formatted as
 * they are, never shifted by a time zone. Instants (a signature) are shown in the clinician's
 * time zone with its abbreviation.
 */
const LOCALES: Record<Language, string> = { en: 'en-US', es: 'es-US' };

export function localeOf(language: Language): string {
  return LOCALES[language];
}

/** Newer ICU data puts a narrow no-break space before AM/PM; print a plain space everywhere. */
const plainSpaces = (text: string): string => text.replace(/[\u202f\u2009]/g, ' ');

const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = cache.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    cache.set(key, format);
  }
  return format;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})$/;

/** `2026-11-20` → "Nov 20, 2026" / "20 nov 2026"; anything else is printed as given. */
export function formatCalendarDate(value: string, language: Language): string {
  const match = DATE.exec(value);
  if (!match) return value;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (Number.isNaN(date.getTime())) return value;
  return plainSpaces(formatter(localeOf(language), { dateStyle: 'medium', timeZone: 'UTC' }).format(date));
}

/** `14:05` → "2:05 PM" / "2:05 p.m."; anything else is printed as given. */
export function formatTimeOfDay(value: string, language: Language): string {
  const match = TIME.exec(value);
  if (!match) return value;
  const date = new Date(Date.UTC(1970, 0, 1, Number(match[1]), Number(match[2])));
  return plainSpaces(
    formatter(localeOf(language), { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(date),
  );
}

const knownZones = new Map<string, boolean>();

/** Whether a string names a time zone this runtime knows (cached: ICU look-ups are slow). */
export function isKnownTimeZone(timeZone: string): boolean {
  let known = knownZones.get(timeZone);
  if (known === undefined) {
    try {
      formatter('en-US', { timeZone });
      known = true;
    } catch {
      known = false;
    }
    if (knownZones.size < 64) knownZones.set(timeZone, known);
  }
  return known;
}

/** An instant in a time zone, with the zone's abbreviation: "Nov 20, 2026, 3:42 PM EST". */
export function formatInstant(value: string | Date, language: Language, timeZone: string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  const zone = isKnownTimeZone(timeZone) ? timeZone : 'UTC';
  return plainSpaces(
    formatter(localeOf(language), {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      timeZoneName: 'short',
      timeZone: zone,
    }).format(date),
  );
}

export function formatNumber(value: number, language: Language): string {
  return new Intl.NumberFormat(localeOf(language), { maximumFractionDigits: 4 }).format(value);
}
