import { Machine, parseScenario } from '../../../emulator/index.ts';
import { setUpScenario } from '../../../emulator/scenario/run.ts';
import { toHex } from './helpers.ts';

export const CODE = 0x10000;
/** Handlers live at HANDLERS + vector * 0x100; a vector with no code of its own gets a HLT. */
export const HANDLERS = 0x30000;
export const KERNEL_STACK = 0x9000;
/** Scratch memory the test handlers write to. */
export const LOG = 0x40000;

export const le = (v: bigint, n: number): string => toHex(Uint8Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn)));

export const handlerAt = (vector: number): number => HANDLERS + vector * 0x100;

function gate(vector: number, dpl: number): string {
  const off = BigInt(handlerAt(vector));
  return le(off & 0xffffn, 2) + le(0x08n, 2) + '00' + le(BigInt(0x80 | (dpl << 5) | 0xe), 1) + le((off >> 16n) & 0xffffn, 2) + le(off >> 32n, 4) + '00000000';
}

export interface LongMachine {
  code: string;
  cpl?: 0 | 3;
  rflags?: string;
  regs?: Record<string, string>;
  /** Machine code per vector (hex). */
  handlers?: Record<number, string>;
  /** Gate DPL per vector (default 0). */
  dpl?: Record<number, number>;
  msr?: Record<string, string>;
  /** Extra memory, address → hex. */
  memory?: Record<number, string>;
  /** The TSS descriptor's limit (default 0x67); the TSS is at TSS_BASE. */
  tssLimit?: number;
  /** CR4, when not the scenario default. */
  cr4?: string;
}

export const TSS_BASE = 0x5000;

/** A long64 machine delivering exceptions: flat GDT (kernel 0x08/0x10, user 0x2b/0x23), TSS with RSP0, IDT, a 2 MiB identity page with U/S set. */
export function longMachine(o: LongMachine): Machine {
  const gdt = ['0000000000000000', 'ffff0000009aaf00', 'ffff00000092cf00', 'ffff000000facf00', 'ffff000000f2cf00', 'ffff000000faaf00', le(BigInt(o.tssLimit ?? 0x67), 2) + '005000890000', '0000000000000000'].join('');
  const tss = '00000000' + le(BigInt(KERNEL_STACK), 8) + '0'.repeat(0x5c * 2);
  const idt = Array.from({ length: 256 }, (_, v) => gate(v, o.dpl?.[v] ?? 0)).join('');
  const user = o.cpl === 3;
  const memory = [
    { addr: '0x1000', hex: '0760000000000000' },
    { addr: '0x6000', hex: '0770000000000000' },
    { addr: '0x7000', hex: '8700000000000000' },
    { addr: '0x2000', hex: gdt },
    { addr: '0x3000', hex: idt },
    { addr: '0x5000', hex: tss },
    { addr: `0x${CODE.toString(16)}`, hex: o.code.replace(/\s+/g, '') },
  ];
  for (let v = 0; v < 256; v++) memory.push({ addr: `0x${handlerAt(v).toString(16)}`, hex: (o.handlers?.[v] ?? 'f4').replace(/\s+/g, '') });
  for (const [at, hex] of Object.entries(o.memory ?? {})) memory.push({ addr: `0x${Number(at).toString(16)}`, hex: hex.replace(/\s+/g, '') });
  const s = parseScenario({
    format: 'switchyard-scenario/1',
    cpu: {
      mode: 'long64',
      regs: { rsp: user ? '0x8000' : '0x8800', rip: `0x${CODE.toString(16)}`, rflags: o.rflags ?? '0x2', ...o.regs },
      cr3: '0x1000',
      ...(o.cr4 ? { cr4: o.cr4 } : {}),
      efer: '0x501',
      gdtr: { base: '0x2000', limit: '0x3f' },
      idtr: { base: '0x3000', limit: '0xfff' },
      seg: user ? { cs: '0x2b', ss: '0x23', ds: '0x23', es: '0x23', tr: '0x30' } : { cs: '0x8', ss: '0x10', ds: '0x10', es: '0x10', tr: '0x30' },
      msr: o.msr ?? {},
    },
    memory,
  });
  return setUpScenario(s);
}

export const qword = (m: Machine, at: number): bigint => m.read(at, 8).reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);

/** `count` qwords from `at`. */
export const qwords = (m: Machine, at: number, count: number): bigint[] => Array.from({ length: count }, (_, i) => qword(m, at + 8 * i));
