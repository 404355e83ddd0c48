import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';

/** The machine line every benchmark result carries. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  aesNi: boolean;
  node: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    aesNi: cpuHasAes(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

function cpuHasAes(): boolean {
  try {
    return /\baes\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

/** 1, 5 and 15 minute load averages, rounded (how busy the machine was). */
export const loadAverages = (): number[] => loadavg().map((x) => Math.round(x * 100) / 100);
