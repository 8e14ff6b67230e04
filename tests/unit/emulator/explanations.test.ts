import { describe, expect, it } from 'vitest';
import { Machine, type Mode } from '../../../emulator/index.ts';
import { bytes } from './helpers.ts';

interface Snippet {
  what: string;
  code: string;
  mode?: Mode;
  cpl?: 0 | 3;
  regs?: Record<string, bigint>;
  /** The whole message, or the parts it must contain: the exception, the instruction, the rule and the values. */
  message: RegExp;
}

const NON_CANONICAL = 0x0000800000000000n;

const snippets: Snippet[] = [
  { what: 'DIV by zero', code: '48f7f1', regs: { rcx: 0n }, message: /^#DE: DIV: divisor is zero$/ },
  { what: 'DIV overflow', code: '48f7f1', regs: { rdx: 5n, rcx: 2n }, message: /^#DE: DIV: .*quotient/i },
  { what: 'MOV from CR0 in ring 3', code: '0f20c0', cpl: 3, message: /^#GP\(0x0\): MOV CR0.*CPL (is )?3/ },
  { what: 'HLT in ring 3', code: 'f4', cpl: 3, message: /^#GP\(0x0\): HLT: CPL is 3, HLT needs CPL 0$/ },
  { what: 'a non-canonical load', code: '488b03', regs: { rbx: NON_CANONICAL }, message: /^#GP\(0x0\): MOV: .*0x800000000000.*canonical/ },
  { what: 'a non-canonical string source', code: 'a4', regs: { rsi: NON_CANONICAL }, message: /^#GP\(0x0\): MOVSB: the string address in RSI \(0x800000000000\) is not canonical$/ },
  { what: 'UD2', code: '0f0b', message: /^#UD: UD2: undefined instruction/ },
  { what: 'WRMSR of an unknown MSR', code: '0f30', regs: { rcx: 0x1234n }, message: /^#GP\(0x0\): WRMSR: .*0x1234/ },
  { what: 'SYSCALL outside 64-bit mode', code: '0f05', mode: 'protected32', message: /^#UD: SYSCALL: only valid in 64-bit mode/ },
  { what: 'SYSCALL with EFER.SCE clear', code: '0f05', message: /^#UD: SYSCALL: EFER.SCE is clear/ },
  { what: 'LIDT in ring 3', code: '0f011b', cpl: 3, message: /^#GP\(0x0\): LIDT.*CPL (is )?3/ },
  { what: 'MOV to CR4 with a reserved bit', code: '0f22e0', regs: { rax: 0x20n | (1n << 30n) }, message: /^#GP\(0x0\): MOV CR4: .*0x40000020/ },
  { what: 'CLI in ring 3 with IOPL 0', code: 'fa', cpl: 3, message: /^#GP\(0x0\): CLI: CPL 3 is above IOPL 0$/ },
  { what: 'OUT in ring 3 without a TSS', code: 'e6e9', cpl: 3, message: /^#GP\(0x0\): OUT port 0xe9 \(1 byte\): CPL 3 is above IOPL 0/ },
  { what: 'LOCK on a register destination', code: 'f04801d8', message: /^#UD: .*LOCK.*ADD/ },
  { what: 'a load beyond physical memory', code: '488b03', regs: { rbx: 0x7ffff000n }, message: /^bus-error: MOV: read of physical address 0x7ffff000 is beyond physical memory \(size 0x100000\)$/ },
  { what: 'SWAPGS outside 64-bit mode (no such encoding there)', code: '0f01f8', mode: 'protected32', message: /^#UD: INVALID: bytes 0f 01 f8/ },
  { what: 'a single-step trap', code: '90', regs: { rflags: 0x102n }, message: /^#DB: NOP: single-step trap \(RFLAGS.TF was set when it began\)$/ },
  { what: 'INT1', code: 'f1', message: /^#DB: INT1: debug trap \(ICEBP\)$/ },
];

describe('every exception explains itself', () => {
  it.each(snippets)('$what', (s) => {
    const m = new Machine({ ramSize: 0x100000, mode: s.mode ?? 'long64', cpl: s.cpl ?? 0 });
    m.load(0x1000, bytes(s.code));
    m.setRegister('rip', 0x1000n);
    m.setRegister('rsp', 0x8000n);
    for (const [name, value] of Object.entries(s.regs ?? {})) m.setRegister(name, value);
    const r = m.run({ maxInstructions: 1 });
    expect(r.reason).toBe('fault');
    expect(r.message).toMatch(s.message);
    expect(r.message).toBe(r.fault?.message);
  });
});
