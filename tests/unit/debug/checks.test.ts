import { describe, expect, it } from 'vitest';
import { CHECKS, type CheckId } from '../../../emulator/debug/checks.ts';
import type { Debugger } from '../../../emulator/debug/debugger.ts';
import { debug } from './helpers.ts';
import { CONTEXT_SWITCH, ROUND_TRIP, ROUND_TRIP_GATES } from './programs.ts';
import { PROLOGUE, kernel, toUser, type Gate } from './system.ts';

type Program = () => { dbg: Debugger };

const user = (code: string, bits: 32 | 64 = 64): Program => () => debug(code, bits === 32 ? { bits, machine: { mode: 'protected32' } } : {});

/** A kernel that enters ring 3 at `user:` (IRETQ frame from `frame`), with `handlers` appended. */
const sys = (userCode: string, handlers: string, gates: Gate[], frame: [rflags?: string, cs?: string, ss?: string] = []): Program => () =>
  kernel(`
    .text
${PROLOGUE}
${toUser('user', ...frame)}
user:
${userCode}
${handlers}
`, gates);

const INT80 = [{ vector: 0x80, label: 'entry', dpl: 3 as const }];
const GP = [{ vector: 13, label: 'gp' }];

const cases: [CheckId, 'fires' | 'quiet', string, Program][] = [
  ['callee-saved-clobbered', 'fires', 'System V: RBX changed', user('call f\n hlt\nf: mov $5, %rbx\n ret')],
  ['callee-saved-clobbered', 'quiet', 'System V: RBX saved and restored', user('call f\n hlt\nf: push %rbx\n mov $5, %rbx\n pop %rbx\n ret')],
  ['callee-saved-clobbered', 'quiet', 'System V: caller-saved RAX, RCX, R11 changed', user('call f\n hlt\nf: mov $5, %rax\n mov $1, %rcx\n mov $2, %r11\n ret')],
  ['callee-saved-clobbered', 'fires', 'i386 cdecl: ESI changed', user('call f\n hlt\nf: mov $1, %esi\n ret', 32)],
  ['callee-saved-clobbered', 'quiet', 'i386 cdecl: ESI saved and restored', user('call f\n hlt\nf: push %esi\n mov $1, %esi\n pop %esi\n ret', 32)],
  ['stack-imbalance', 'fires', 'a push without its pop', user('lea done(%rip), %rax\n call f\ndone: hlt\nf: push %rax\n ret')],
  ['stack-imbalance', 'quiet', 'balanced push and pop', user('lea done(%rip), %rax\n call f\ndone: hlt\nf: push %rax\n pop %rax\n ret')],
  ['stack-imbalance', 'quiet', 'a context switch between stacks far apart', () => debug(CONTEXT_SWITCH)],
  ['stack-imbalance', 'quiet', 'a context switch between stacks 256 bytes apart', () => debug(CONTEXT_SWITCH.replace('.space 512', '.space 256'))],
  ['callee-saved-clobbered', 'quiet', 'a context switch (each task keeps its own registers)', () => debug(CONTEXT_SWITCH.replace('.space 512', '.space 256'))],
  ['stack-imbalance', 'quiet', 'by design: after a MOV to RSP an imbalance is taken for a stack switch', user('lea done(%rip), %rax\n call f\ndone: hlt\nf: push %rax\n mov %rsp, %rbx\n mov %rbx, %rsp\n push %rax\n ret')],
  ['call-misaligned', 'fires', 'RSP 8 off at CALL', user('sub $8, %rsp\n call f\n hlt\nf: ret')],
  ['call-misaligned', 'quiet', 'RSP aligned at CALL', user('call f\n hlt\nf: ret')],
  ['call-misaligned', 'quiet', 'a misaligned CALL in code outside the listing (a harness)', () => {
    const t = debug('mov $0x20000, %eax\n jmp *%rax');
    // sub $8,%rsp; call +1; hlt; ret
    t.machine.load(0x20000, Uint8Array.of(0x48, 0x83, 0xec, 0x08, 0xe8, 0x01, 0, 0, 0, 0xf4, 0xc3));
    return t;
  }],
  ['handler-rsp-changed', 'fires', 'a push left on the interrupt stack', sys('int $0x80\n hlt', 'entry: push %rax\n iretq', INT80)],
  ['handler-rsp-changed', 'quiet', 'the round trip', () => kernel(ROUND_TRIP, ROUND_TRIP_GATES)],
  ['handler-rsp-changed', 'quiet', 'the handler moves to another frame by loading RSP', sys('int $0x80\n hlt', 'entry: lea -256(%rsp), %rbx\n mov 0(%rsp), %rax\n mov %rax, 0(%rbx)\n mov 8(%rsp), %rax\n mov %rax, 8(%rbx)\n mov 16(%rsp), %rax\n mov %rax, 16(%rbx)\n mov 24(%rsp), %rax\n mov %rax, 24(%rbx)\n mov 32(%rsp), %rax\n mov %rax, 32(%rbx)\n mov %rbx, %rsp\n iretq', INT80)],
  ['handler-below-rsp', 'fires', 'a store below RSP in the handler', sys('int $0x80\n hlt', 'entry: mov %rax, -8(%rsp)\n iretq', INT80)],
  ['handler-below-rsp', 'quiet', 'stores at and above RSP in the handler', sys('int $0x80\n hlt', 'entry: push %rax\n mov %rbx, (%rsp)\n pop %rax\n iretq', INT80)],
  ['iret-frame-faults', 'fires', 'SS with RPL 0 for a return to ring 3', sys('nop', '', [], ['0x202', '0x2b', '0x10'])],
  ['iret-frame-faults', 'fires', 'CS with RPL 0 naming a DPL 3 segment', sys('nop', '', [], ['0x202', '0x28', '0x23'])],
  ['iret-frame-faults', 'fires', 'CS naming a data segment', sys('nop', '', [], ['0x202', '0x23', '0x23'])],
  ['iret-frame-faults', 'quiet', 'a good frame', sys('nop', '', [], ['0x202', '0x2b', '0x23'])],
  ['swapgs-unpaired', 'fires', 'SWAPGS on the way in only', sys('int $0x80\n hlt', 'entry: swapgs\n iretq', INT80)],
  ['swapgs-unpaired', 'quiet', 'SWAPGS in and out', sys('int $0x80\n hlt', 'entry: swapgs\n nop\n swapgs\n iretq', INT80)],
  ['swapgs-unpaired', 'quiet', 'the first entry to ring 3 after a SWAPGS in ring 0 (the kernel sets GS up as it likes)', () => kernel(`
    .text
${PROLOGUE}
    swapgs
${toUser('user')}
user:
    nop
`, [])],
  ['error-code-mismatch', 'fires', '#GP handler returns without popping the error code', sys('hlt', 'gp: iretq', GP)],
  ['error-code-mismatch', 'fires', 'INT 0x80 handler pops an error code that is not there', sys('int $0x80\n hlt', 'entry: add $8, %rsp\n iretq', INT80)],
  ['error-code-mismatch', 'quiet', '#GP handler pops the error code and skips the instruction', sys('hlt\n nop', 'gp: add $8, %rsp\n addq $1, (%rsp)\n iretq', GP)],
  ['if-clear-ring3', 'fires', 'IRETQ to ring 3 with IF clear', sys('nop', '', [], ['0x2', '0x2b', '0x23'])],
  ['if-clear-ring3', 'quiet', 'IRETQ to ring 3 with IF set', sys('nop', '', [], ['0x202', '0x2b', '0x23'])],
];

describe('debugging checks', () => {
  it.each(cases)('%s %s: %s', (check, expected, _what, program) => {
    const { dbg } = program();
    dbg.continue(300);
    const mine = dbg.warnings.filter((w) => w.check === check);
    if (expected === 'fires') {
      expect(mine.length, JSON.stringify(dbg.warnings, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v))).toBeGreaterThan(0);
      expect(mine[0].message.length).toBeGreaterThan(20);
    } else {
      expect(mine).toEqual([]);
    }
  });

  it('every check has a case where it fires and one where it stays quiet', () => {
    for (const c of CHECKS) {
      expect(cases.some(([id, e]) => id === c.id && e === 'fires'), c.id).toBe(true);
      expect(cases.some(([id, e]) => id === c.id && e === 'quiet'), c.id).toBe(true);
    }
  });

  it('the clean round trip raises no warning at all', () => {
    const { dbg } = kernel(ROUND_TRIP, ROUND_TRIP_GATES);
    expect(dbg.continue().reason).toBe('hlt');
    expect(dbg.warnings).toEqual([]);
  });

  it('a warning points at the instruction: address, position and source line', () => {
    const { dbg, address } = sys('nop', '', [], ['0x202', '0x2b', '0x10'])() as ReturnType<typeof kernel>;
    dbg.continue(300);
    const w = dbg.warnings.find((x) => x.check === 'iret-frame-faults')!;
    expect(w.message).toBe("#GP(0x10): IRETQ: SS 0x10 has RPL 0 but CS's RPL is 3");
    dbg.goto(w.position);
    expect(dbg.machine.getRegister('rip')).toBe(w.rip);
    expect(w.line).toBeDefined();
    expect(dbg.sources!.line(w.rip)).toBe(w.line);
    // The CPU agrees: the IRETQ faults with the selector as error code.
    const gp = dbg.events.find((e) => e.kind === 'exception');
    expect(gp).toMatchObject({ name: '#GP', errorCode: 0x10, position: w.position });
    void address;
  });

  it('a check that is turned off stays quiet', () => {
    const { dbg } = user('sub $8, %rsp\n call f\n hlt\nf: ret')();
    dbg.setCheck('call-misaligned', false);
    dbg.continue();
    expect(dbg.warnings).toEqual([]);
    expect(() => dbg.setCheck('no-such-check' as CheckId, false)).toThrow(/unknown check 'no-such-check'/);
  });
});
