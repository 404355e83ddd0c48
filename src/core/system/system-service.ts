import type { SystemInfo } from '../../shared/system/info';
import { RPC_PROTOCOL_VERSION } from '../../shared/rpc/wire';

export interface RuntimeDescription {
  appVersion: string;
  runtime: 'electron' | 'node';
}

export class SystemService {
  private readonly startedAt = new Date().toISOString();

  constructor(private readonly runtime: RuntimeDescription) {}

  ping(message: string): { message: string; receivedAt: string } {
    return { message, receivedAt: new Date().toISOString() };
  }

  info(): SystemInfo {
    return {
      appVersion: this.runtime.appVersion,
      runtime: this.runtime.runtime,
      runtimeVersion:
        this.runtime.runtime === 'electron' ? (process.versions.electron ?? 'unknown') : process.versions.node,
      platform: process.platform,
      arch: process.arch,
      rpcProtocolVersion: RPC_PROTOCOL_VERSION,
      startedAt: this.startedAt,
    };
  }
}
