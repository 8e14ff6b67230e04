/**
 * Runs one host-CPU harness case on the emulator, with the harness's memory layout: only the
 * code, data and stack pages are mapped (any other access raises #PF, as it would on the host),
 * the CPU is in 64-bit mode at CPL 3 with IF set, and the run ends when RIP reaches the end of
 * the case's code.
 */
import { ACCESS_WRITE, Machine, pageFault, type Translate } from '../../../emulator/index.ts';
import {
  readAvxImage, readX87Image, readXmmImage, writeAvxImage, writeMxcsrImage, writeX87Image, writeXmmImage, XCR0_SUPPORTED,
} from '../../../emulator/cpu/fpu.ts';
import type { Cpu } from '../../../emulator/index.ts';
import { CR4_OSFXSR, CR4_OSXMMEXCPT, CR4_OSXSAVE } from '../../../emulator/arch/control-registers.ts';
import { simdFields } from './simd-state.ts';
import { CODE_ADDR, DATA_ADDR, DATA_SIZE, GPR_NAMES, SIMD_IMAGE_SIZE, STACK_SIZE, STACK_TOP, type NativeCase, type NativeFault, type NativeOutcome } from './types.ts';

const PAGE = 0x1000;
const CODE = Number(CODE_ADDR);
const DATA = Number(DATA_ADDR);
const STACK = Number(STACK_TOP) - STACK_SIZE;
const IF = 0x200n;
const RF = 0x10000n;
const MAX_INSTRUCTIONS = 1_000_000;

const MAPPED = new Set([CODE / PAGE, DATA / PAGE, STACK / PAGE]);

/** Identity translation restricted to the harness's three pages; a user-mode #PF elsewhere. */
const harnessTranslate: Translate = (linear, access) => {
  if (!MAPPED.has(Math.floor(linear / PAGE))) {
    // Error code: U/S=1 (user), W/R from the access, P=0 (not present).
    const code = 4 | (access & ACCESS_WRITE ? 2 : 0);
    throw pageFault(BigInt.asUintN(64, BigInt(linear)), code, `linear address 0x${BigInt.asUintN(64, BigInt(linear)).toString(16)} is not mapped by the harness`);
  }
  return linear;
};

const VECTORS: Record<number, NativeFault> = { 0: '#DE', 3: '#BP', 4: '#OF', 6: '#UD', 12: '#SS', 13: '#GP', 14: '#PF', 16: '#MF', 17: '#AC', 19: '#XM' };
const AVX_AT = 576;

let machine: Machine | null = null;

function fresh(): Machine {
  if (machine === null) {
    machine = new Machine({ ramSize: Number(STACK_TOP), mode: 'long64', cpl: 3 });
    machine.translate = harnessTranslate;
    // Linux runs user code with CR0.AM set: a case that sets RFLAGS.AC gets alignment checks.
    machine.setRegister('cr0', machine.getRegister('cr0') | 0x40000n);
    // Linux enables FXSAVE/SSE, unmasked SIMD exceptions as #XM, and XSAVE with (at least) x87|SSE|AVX.
    machine.setRegister('cr4', machine.getRegister('cr4') | BigInt(CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE));
    machine.cpu.xcr0 = XCR0_SUPPORTED;
  }
  return machine;
}

const hexBytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** The harness's XRSTOR64 of the case's image (XSTATE_BV = RFBM = x87|SSE|AVX). */
function loadSimd(cpu: Cpu, image: string): void {
  const v = new DataView(Uint8Array.from(Buffer.from(image, 'hex')).buffer);
  readX87Image(cpu, v, true);
  cpu.mxcsr = v.getUint32(24, true);
  readXmmImage(cpu, v);
  readAvxImage(cpu, v, AVX_AT);
  cpu.xinuse = XCR0_SUPPORTED;
}

/** The harness's XSAVE64 after the case, with components not in use at their initial configuration. */
function saveSimd(cpu: Cpu): string {
  const bytes = new Uint8Array(SIMD_IMAGE_SIZE);
  const v = new DataView(bytes.buffer);
  writeX87Image(cpu, v, true);
  writeMxcsrImage(cpu, v);
  writeXmmImage(cpu, v);
  writeAvxImage(cpu, v, AVX_AT);
  if (!(cpu.xinuse & 1)) {
    bytes.fill(0, 0, 24);
    bytes.fill(0, 32, 160);
    v.setUint16(0, 0x37f, true);
  }
  if (!(cpu.xinuse & 2)) bytes.fill(0, 160, 416);
  if (!(cpu.xinuse & 4)) bytes.fill(0, AVX_AT, AVX_AT + 256);
  return toHex(bytes);
}

export function runOnEmulator(c: NativeCase): NativeOutcome {
  const m = fresh();
  const code = hexBytes(c.code);
  const page = new Uint8Array(PAGE).fill(0xcc);
  page.set(code);
  m.load(CODE, page);
  const data = hexBytes(c.data ?? '');
  const dataPage = new Uint8Array(DATA_SIZE);
  dataPage.set(data);
  m.load(DATA, dataPage);
  m.load(STACK, new Uint8Array(STACK_SIZE));
  for (const name of GPR_NAMES) m.setRegister(name, BigInt(c.regs[name]));
  m.setRegister('rflags', BigInt(c.rflags) | IF);
  m.setRegister('rip', CODE_ADDR);
  if (c.simd) loadSimd(m.cpu, c.simd);
  const end = CODE_ADDR + BigInt(code.length);
  const result = m.run({ maxInstructions: MAX_INSTRUCTIONS, breakpoints: [end] });
  if (result.reason === 'error') throw new Error(`emulator error on ${c.id} (${c.text}): ${result.message}`);
  const regs = Object.fromEntries(GPR_NAMES.map((n) => [n, hex(m.getRegister(n))])) as NativeOutcome['regs'];
  const outcome: NativeOutcome = {
    regs,
    rflags: hex(m.getRegister('rflags') & ~RF),
    data: toHex(m.read(DATA, data.length > 0 ? data.length : 64)),
  };
  if (c.simd) outcome.simd = simdFields(saveSimd(m.cpu));
  if (result.reason === 'fault' && result.fault) {
    outcome.fault = VECTORS[result.fault.vector] ?? (`#${result.fault.name}` as NativeFault);
    outcome.faultRip = hex(m.getRegister('rip'));
  } else if (result.reason === 'limit') {
    throw new Error(`${c.id} (${c.text}): did not reach the end of its code within ${MAX_INSTRUCTIONS} instructions`);
  }
  return outcome;
}
