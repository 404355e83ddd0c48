import type { TFunction } from 'i18next';
import { TIME_OF_DAY } from '../../shared/notes/content';
import { RpcError } from '../../shared/rpc/errors';

/**
 * Dates and times in the clinician's language. Times from the core are ISO-8601 UTC strings;
 * they are shown in the computer's time zone.
 */
const DAY_MS = 86_400_000;

export function formatDateTime(iso: string, language: string): string {
  return new Intl.DateTimeFormat(language, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
  }).format(new Date(iso));
}

/** A calendar date (`YYYY-MM-DD`, no time zone) or the date part of a time. */
export function formatDate(value: string, language: string): string {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00`) : new Date(value);
  return new Intl.DateTimeFormat(language, { day: 'numeric', month: 'short', year: 'numeric' }).format(date);
}

/**
 * A session's date with its start time when known (`YYYY-MM-DD` and `HH:MM`, both the clinic's
 * wall clock, no time zone): two notes of one day are told apart by their time.
 */
export function formatSessionStart(date: string, time: string | null | undefined, language: string): string {
  if (!time || !/^\d{4}-\d{2}-\d{2}$/.test(date) || !TIME_OF_DAY.test(time)) return formatDate(date, language);
  return new Intl.DateTimeFormat(language, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(new Date(`${date}T${time}:00`));
}

/** "3 days ago", "in 2 hours", "yesterday"… */
export function formatRelative(iso: string, language: string, now: number = Date.now()): string {
  const diff = Date.parse(iso) - now;
  const format = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
  const abs = Math.abs(diff);
  if (abs < 60_000) return format.format(0, 'second');
  if (abs < 3_600_000) return format.format(Math.round(diff / 60_000), 'minute');
  if (abs < DAY_MS) return format.format(Math.round(diff / 3_600_000), 'hour');
  return format.format(Math.round(diff / DAY_MS), 'day');
}

/** Whole years between a date of birth (`YYYY-MM-DD`) and today. */
export function ageOn(dateOfBirth: string, today: Date = new Date()): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateOfBirth);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  let age = today.getFullYear() - year;
  if (today.getMonth() + 1 < month || (today.getMonth() + 1 === month && today.getDate() < day)) age -= 1;
  return age >= 0 ? age : null;
}

/** An RPC failure in words (never the core's message, never a stack trace). */
export function errorText(t: TFunction, error: unknown): string {
  if (error instanceof RpcError) return t(`errors.${error.code}`, { defaultValue: t('errors.generic') });
  return t('errors.generic');
}

/** A translated code with a readable fallback for codes this version does not know. */
export function codeText(t: TFunction, key: string, code: string): string {
  return t(`${key}.${code}` as never, { defaultValue: humanise(code) });
}

export function humanise(code: string): string {
  const words = code.replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
