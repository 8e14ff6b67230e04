import type { Replay } from '../debugger/replay.ts';

export interface SandboxConfig {
  mode: 'long64' | 'protected32';
  ramKiB: number;
  /** One `name=value` per line, e.g. `rdi=0x20000`. */
  registers: string;
}

export const DEFAULT_SANDBOX: SandboxConfig = { mode: 'long64', ramKiB: 1024, registers: 'rsp=0x80000' };

const REGISTER_NAME = /^(r[a-z0-9]+|e[a-z]{2}|cr[0-4]|[c-gs]s|efer|fsbase|gsbase)$/;

/** The sandbox's machine as a debugger program; every bad line of the register list is named. */
export function sandboxProgram(source: string, config: SandboxConfig): { replay: Replay } | { error: string } {
  const registers: Record<string, string> = {};
  const lines = config.registers.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].trim();
    if (text === '' || text.startsWith('#')) continue;
    const match = /^([a-z0-9]+)\s*=\s*(\S+)$/i.exec(text);
    if (!match) return { error: `entry registers, line ${i + 1}: expected name=value, got '${text}'` };
    const name = match[1].toLowerCase();
    if (!REGISTER_NAME.test(name)) return { error: `entry registers, line ${i + 1}: '${match[1]}' is not a register` };
    let value: bigint;
    try {
      value = BigInt(match[2]);
    } catch {
      return { error: `entry registers, line ${i + 1}: '${match[2]}' is not a number (decimal or 0x-hex)` };
    }
    registers[name] = `0x${BigInt.asUintN(64, value).toString(16)}`;
  }
  if (!Number.isInteger(config.ramKiB) || config.ramKiB < 256 || config.ramKiB > 65536) return { error: 'RAM: between 256 KiB and 64 MiB' };
  return {
    replay: {
      program: source,
      lineOffset: 0,
      bits: config.mode === 'long64' ? 64 : 32,
      mode: config.mode,
      ramSize: config.ramKiB * 1024,
      codeAddress: 0x10000,
      startSymbol: '',
      registers,
      structs: [],
    },
  };
}
