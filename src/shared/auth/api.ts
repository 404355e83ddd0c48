import { z } from 'zod';

/**
 * The clinic server's authentication API: the server validates requests with these schemas
 * (src/server/routes/auth.ts) and the workstation validates every answer before trusting it.
 */
export const signInRequestSchema = z
  .object({
    username: z.string().trim().min(1).max(200),
    password: z.string().min(1).max(1024),
    deviceName: z.string().trim().min(1).max(100),
    deviceId: z.uuid().optional(),
  })
  .strict();
export type SignInRequest = z.infer<typeof signInRequestSchema>;

/** Body of /auth/refresh and /auth/sign-out. */
export const refreshRequestSchema = z.object({ refreshToken: z.string().min(20).max(200) }).strict();

export const tokenResponseSchema = z.object({
  accessToken: z.string().min(20),
  accessTokenExpiresAt: z.iso.datetime(),
  refreshToken: z.string().min(20).max(200),
  refreshTokenExpiresAt: z.iso.datetime(),
  deviceId: z.uuid(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

export const signInResponseSchema = tokenResponseSchema.extend({
  user: z.object({
    id: z.uuid(),
    username: z.string(),
    displayName: z.string(),
    role: z.enum(['clinician', 'supervisor', 'admin']),
  }),
});
export type SignInResponse = z.infer<typeof signInResponseSchema>;

/** Every error the server sends: a stable code and a sentence, never a stack or SQL. */
export const apiErrorSchema = z.object({
  error: z.object({ code: z.string().max(64), message: z.string().max(500), ref: z.string().max(32).optional() }),
});
