import pino, { type Logger } from 'pino';

/**
 * The server's pino logger: codes, ids and counts only. Credentials, tokens, request bodies and
 * anything that could carry PHI are redacted as a second line of defence (the code never logs
 * them in the first place).
 */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'body',
  '*.body',
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'refreshToken',
  '*.refreshToken',
  'accessToken',
  '*.accessToken',
  'username',
  '*.username',
  'displayName',
  '*.displayName',
];

export function createServerLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'continuum-clinic-server' },
      redact: { paths: redactPaths, censor: '[redacted]' },
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({
          id: req.id,
          method: req.method,
          // The path without the query string.
          url: typeof req.url === 'string' ? req.url.split('?')[0] : undefined,
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
    options.destination ?? process.stdout,
  );
}
