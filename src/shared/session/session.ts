import { z } from 'zod';

/**
 * The workstation's account on the clinic server, as the renderer sees it (RPC `session.*`).
 * - `signedOut`: no account yet (first run) or the session ended; show Sign in.
 * - `pendingPassphrase`: signed in on first run; the tokens are held in memory until the
 *   workstation passphrase is created and the encrypted cache can keep them.
 * - `signedIn`: tokens are in the encrypted cache; sync runs.
 * - `revoked`: an administrator revoked this device; the local cache was erased.
 */
export const SESSION_STATES = ['signedOut', 'pendingPassphrase', 'signedIn', 'revoked'] as const;

export const sessionUserSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(['clinician', 'supervisor', 'admin']),
});
export type SessionUserView = z.infer<typeof sessionUserSchema>;

export const sessionStatusSchema = z.object({
  state: z.enum(SESSION_STATES),
  serverUrl: z.string().nullable(),
  user: sessionUserSchema.nullable(),
});
export type SessionStatus = z.infer<typeof sessionStatusSchema>;

export const signInInputSchema = z
  .object({
    serverUrl: z.string().trim().min(1).max(500),
    username: z.string().trim().min(1).max(200),
    password: z.string().min(1).max(1024),
  })
  .strict();
export type SignInInput = z.infer<typeof signInInputSchema>;
