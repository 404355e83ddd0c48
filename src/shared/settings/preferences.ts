import { z } from 'zod';

/** Languages with a complete string file in the renderer. */
export const SUPPORTED_LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof SUPPORTED_LANGUAGES)[number];

export const COLOR_SCHEMES = ['auto', 'light', 'dark'] as const;

/**
 * Workstation preferences. They hold no PHI and are needed before the vault is unlocked
 * (the lock screen speaks the clinician's language), so the core keeps them outside the
 * encrypted store.
 */
export const preferencesSchema = z.object({
  language: z.enum(SUPPORTED_LANGUAGES),
  /** `auto` follows the operating system. */
  colorScheme: z.enum(COLOR_SCHEMES),
  /** Lock the workstation after this much inactivity (HIPAA automatic logoff; drafts are kept). */
  autoLockMinutes: z.number().int().min(1).max(60),
});
export type Preferences = z.infer<typeof preferencesSchema>;

export const DEFAULT_PREFERENCES: Preferences = { language: 'en', colorScheme: 'auto', autoLockMinutes: 10 };

export const preferencesPatchSchema = preferencesSchema.partial().strict();
export type PreferencesPatch = z.infer<typeof preferencesPatchSchema>;
