import { z } from 'zod';

export const systemInfoSchema = z.object({
  appVersion: z.string(),
  /** Where the core runs: an Electron utility process, or plain Node (harness, tests). */
  runtime: z.enum(['electron', 'node']),
  runtimeVersion: z.string(),
  platform: z.string(),
  arch: z.string(),
  rpcProtocolVersion: z.number().int(),
  startedAt: z.iso.datetime(),
});
export type SystemInfo = z.infer<typeof systemInfoSchema>;
