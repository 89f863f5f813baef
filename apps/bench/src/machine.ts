/** What the numbers were measured on, recorded with every result. */
import { arch, cpus, platform, totalmem } from 'node:os';
import type { MachineInfo } from './results';

export function machineInfo(): MachineInfo {
  const cores = cpus();
  return {
    platform: platform(),
    arch: arch(),
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
  };
}
