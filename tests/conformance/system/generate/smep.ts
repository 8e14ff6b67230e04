/**
 * SMEP and SMAP in IA-32e mode (SDM Vol. 3A §4.6.1): supervisor fetches from user pages, and
 * supervisor data accesses to user pages with RFLAGS.AC clear or set (set by POPFQ at CPL 0, or
 * present in the starting RFLAGS), and user-mode accesses, which neither feature restricts.
 * Everything below 1 MiB is a supervisor page except user code (0x40000), user data (0x50000)
 * and the user stack's top page, so that the kernel's own fetches and its implicit accesses to
 * the descriptor tables and the TSS are not themselves affected.
 */
import { PTE } from '../../../../emulator/layout/index.ts';
import type { Scenario } from '../scenario-types.ts';
import { A, Machine } from './machine.ts';

const CR4_SMEP = 1n << 20n;
const CR4_SMAP = 1n << 21n;
const AC = 0x40000n;
const USER_PAGES = new Set([A.UCODE, A.DATA, A.USTACK - 0x1000]);
const SET_AC = 'pushfq\norq $0x40000, (%rsp)\npopfq';
const CLEAR_AC = 'pushfq\nandq $-0x40001, (%rsp)\npopfq';

type Body = (m: Machine, addr: number) => { user?: boolean; code: string; ac?: boolean };

const BODIES: [string, Body][] = [
  ['fetch-user-page', (m, addr) => { m.regs.rax = BigInt(A.UCODE + (addr & 0xff)); return { code: 'jmp *%rax' }; }],
  ['read-user-page', (_m, addr) => ({ code: `mov ${addr}, %rbx\nhlt` })],
  ['write-user-page', (_m, addr) => ({ code: `mov %rcx, ${addr}\nhlt` })],
  ['read-user-page-ac-by-popf', (_m, addr) => ({ code: `${SET_AC}\nmov ${addr}, %rbx\nhlt` })],
  ['write-user-page-ac-by-popf', (_m, addr) => ({ code: `${SET_AC}\nmov %rcx, ${addr}\nhlt` })],
  ['read-user-page-ac-at-start', (_m, addr) => ({ code: `mov ${addr}, %rbx\nhlt`, ac: true })],
  ['read-user-page-ac-cleared', (_m, addr) => ({ code: `${CLEAR_AC}\nmov ${addr}, %rbx\nhlt`, ac: true })],
  ['movs-from-user-page', (m, addr) => {
    m.regs.rsi = BigInt(addr); m.regs.rdi = BigInt(A.KSTACK - 0x80); m.regs.rcx = 8n;
    return { code: 'cld\nrep movsb\nhlt' };
  }],
  ['user-read-and-write', (_m, addr) => ({ user: true, code: `mov ${addr}, %rbx\nmov %rbx, ${addr + 8}\nhlt` })],
  ['supervisor-read-supervisor-page', () => ({ code: `mov ${A.KSTACK - 0x40}, %rbx\nhlt` })],
];

export function smepSmap(): Scenario[] {
  const out: Scenario[] = [];
  let seed = 101000;
  for (const [label, body] of BODIES) {
    for (const [features, cr4] of [['smep-smap', CR4_SMEP | CR4_SMAP], ['smep', CR4_SMEP], ['smap', CR4_SMAP], ['none', 0n]] as const) {
      for (let k = 0; k < 2; k++) {
        const m0 = new Machine({ mode: 'long64', seed, fineLow: true });
        const user = body(m0, A.DATA).user ?? false;
        const m = new Machine({ mode: 'long64', seed: seed++, fineLow: true, user });
        for (let page = 0; page < 0x100000; page += 0x1000) {
          if (!USER_PAGES.has(page)) m.pt!.edit(page, 1, (e) => e & ~PTE.US);
        }
        const addr = A.DATA + 8 * m.rng.int(0x100);
        const { code, ac } = body(m, addr);
        m.cr4 |= cr4;
        if (ac) m.regs.rflags |= AC;
        m.mem.writeU64(addr, m.rng.u64());
        m.mem.write(A.UCODE, new Uint8Array(0x100).fill(0xf4));
        m.code(user ? A.UCODE + 0x100 : A.KCODE, code);
        if (user) m.regs.rip = BigInt(A.UCODE + 0x100);
        m.dump(addr & ~0xff, 0x100).dumpStack(A.KSTACK, 0x100);
        out.push(m.build(`smep64/${label}/${features}-${seed}`));
      }
    }
  }
  return out;
}

const CR4_UMIP = 1n << 11n;

/** UMIP (Vol. 3A §2.5, CR4.UMIP): SGDT, SIDT, SLDT, SMSW and STR raise #GP(0) at CPL > 0. */
export function umip(): Scenario[] {
  const out: Scenario[] = [];
  let seed = 102000;
  const insns: [string, string][] = [
    ['sgdt', `sgdt ${A.DATA + 0x10}`], ['sidt', `sidt ${A.DATA + 0x20}`], ['sldt', 'sldt %rax'], ['str', 'str %rax'], ['smsw', 'smsw %rax'],
  ];
  for (const [label, insn] of insns) {
    for (const user of [true, false]) {
      for (const on of [true, false]) {
        for (let k = 0; k < 3; k++) {
          const m = new Machine({ mode: 'long64', seed: seed++, user });
          if (on) m.cr4 |= CR4_UMIP;
          m.mem.write(A.UCODE, new Uint8Array(0x100).fill(0xf4));
          m.code(user ? A.UCODE + 0x100 : A.KCODE, `${insn}\nmov $0x600d, %r15d\nhlt`);
          if (user) m.regs.rip = BigInt(A.UCODE + 0x100);
          m.dump(A.DATA, 0x40);
          out.push(m.build(`umip64/${label}/${user ? 'cpl3' : 'cpl0'}-${on ? 'umip' : 'no-umip'}-${seed}`));
        }
      }
    }
  }
  return out;
}
