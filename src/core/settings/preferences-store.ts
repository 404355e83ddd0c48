import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_PREFERENCES,
  preferencesSchema,
  type Preferences,
  type PreferencesPatch,
} from '../../shared/settings/preferences';
import { writeFileAtomic } from '../fs/atomic-write';
import type { Logger } from '../logging/logger';

/**
 * Workstation preferences in `<profile>/preferences.json` (no PHI, readable before unlock).
 * A file that cannot be read is moved aside (never overwritten silently) and defaults apply.
 */
export class PreferencesStore {
  private readonly path: string;
  private current: Preferences;
  private readonly listeners = new Set<(preferences: Preferences) => void>();

  constructor(
    profileDir: string,
    private readonly log: Logger,
  ) {
    this.path = join(profileDir, 'preferences.json');
    this.current = this.load();
  }

  get(): Preferences {
    return { ...this.current };
  }

  update(patch: PreferencesPatch): Preferences {
    const next = preferencesSchema.parse({ ...this.current, ...patch });
    writeFileAtomic(this.path, `${JSON.stringify(next, null, 2)}\n`);
    this.current = next;
    for (const listener of this.listeners) listener(this.get());
    return this.get();
  }

  onChange(listener: (preferences: Preferences) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private load(): Preferences {
    if (!existsSync(this.path)) return { ...DEFAULT_PREFERENCES };
    try {
      const raw: unknown = JSON.parse(readFileSync(this.path, 'utf8'));
      // Unknown or missing keys fall back to defaults one by one; a bad value is not fatal.
      const merged = { ...DEFAULT_PREFERENCES, ...(typeof raw === 'object' && raw !== null ? raw : {}) };
      const parsed = preferencesSchema.safeParse(merged);
      if (parsed.success) return parsed.data;
      throw new Error('preferences do not match the schema');
    } catch {
      const aside = `${this.path}.unreadable-${Date.now()}`;
      renameSync(this.path, aside);
      this.log.warn({ file: 'preferences.json', movedTo: aside }, 'preferences were unreadable; defaults in use');
      return { ...DEFAULT_PREFERENCES };
    }
  }
}
