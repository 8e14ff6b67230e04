import { describe, expect, it } from 'vitest';
import { withBochs } from './bochs-consensus.ts';
import type { ConsensusEntry } from './fixtures.ts';
import type { Result, ResultCpu, Scenario } from './scenario-types.ts';

const regs = (o: Partial<Record<string, string>> = {}) => ({
  rax: '0x0', rbx: '0x0', rcx: '0x0', rdx: '0x0', rsi: '0x0', rdi: '0x0', rbp: '0x0', rsp: '0x5ffd0',
  r8: '0x0', r9: '0x0', r10: '0x0', r11: '0x0', r12: '0x0', r13: '0x0', r14: '0x0', r15: '0x0',
  rip: '0x2300e', rflags: '0x2', ...o,
});

function result(o: { regs?: Partial<Record<string, string>>; stop?: Result['stop']; msr?: Record<string, string>; mem?: string; mode?: ResultCpu['mode'] } = {}): Result {
  return {
    format: 'switchyard-result/1', stop: o.stop ?? 'hlt', instructions: '0x0',
    cpu: {
      mode: o.mode ?? 'protected32', cpl: '0x0', regs: regs(o.regs) as ResultCpu['regs'],
      cr0: '0x11', cr2: '0x0', cr3: '0x0', cr4: '0x0', efer: '0x0',
      gdtr: { base: '0x20000', limit: '0xb7' }, idtr: { base: '0x21000', limit: '0x7ff' },
      seg: { cs: '0x8', ss: '0x10', ds: '0x10', es: '0x10', fs: '0x10', gs: '0x10', tr: '0x28', ldtr: '0x0' },
      fsBase: '0x0', gsBase: '0x0', kernelGsBase: '0x0', msr: o.msr ?? {},
    },
    memory: [{ addr: '0x5ffc0', hex: o.mem ?? '00'.repeat(0x40) }],
  };
}

/** A 64-bit result whose stack has `rflags` in the fourth word above RSP (0x5ffd0): a fault frame's RFLAGS. */
const withFrameFlags = (rflags: bigint) => result({
  mode: 'long64',
  mem: '00'.repeat(0x28) + Array.from({ length: 8 }, (_, i) => Number((rflags >> BigInt(8 * i)) & 0xffn).toString(16).padStart(2, '0')).join('') + '00'.repeat(0x10),
});

/** A protected-mode result with a 4-byte EFLAGS image at 0x5ffec (the upper half of an 8-byte dump word). */
const withFrameEflags32 = (eflags: number) => result({
  mem: '00'.repeat(0x2c) + Array.from({ length: 4 }, (_, i) => ((eflags >>> (8 * i)) & 0xff).toString(16).padStart(2, '0')).join('') + '00'.repeat(0x10),
});

const scenario = (name: string, memory: Scenario['memory'] = []): Scenario => ({
  format: 'switchyard-scenario/1', name,
  cpu: {
    mode: 'protected32', regs: regs({ rip: '0x30000', rsp: '0x5ffb8' }) as Scenario['cpu']['regs'],
    cr0: '0x11', cr3: '0x0', cr4: '0x0', efer: '0x0',
    gdtr: { base: '0x20000', limit: '0xb7' }, idtr: { base: '0x21000', limit: '0x7ff' },
    seg: { cs: '0x8', ss: '0x10', ds: '0x10', es: '0x10', fs: '0x10', gs: '0x10', tr: '0x28', ldtr: '0x0' },
  },
  memory,
});

/** An IRETQ frame at the scenario's RSP (0x5ffb8) returning to CS 0xc8. */
const IRETQ_TO_C8 = [{ addr: '0x5ffb8', hex: '0000030000000000' + 'c800000000000000' }];
/** A 64-bit #GP frame at 0x5ffd0: error code, then the saved RIP. */
const gpFrame = (code: bigint, rip: bigint) => result({
  mode: 'long64',
  mem: '00'.repeat(0x10) + [code, rip].map((v) => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn).toString(16).padStart(2, '0')).join('')).join('') + '00'.repeat(0x20),
});

const entry = (name: string, source: string, r?: Result): ConsensusEntry => ({ name, source, ...(r ? { result: r } : {}) });

describe('withBochs', () => {
  it.each([
    ['no Bochs result keeps the entry', 'prot32-pushad/x', entry('prot32-pushad/x', 'agree:kvm,qemu', result()), undefined, [], 'agree:kvm,qemu', '0x2300e'],
    ['Bochs confirms KVM and QEMU', 'prot32-pushad/x', entry('prot32-pushad/x', 'agree:kvm,qemu', result()), result(), [], 'agree:bochs,kvm,qemu', '0x2300e'],
    ['Bochs confirms QEMU alone', 'paging32/x', entry('paging32/x', 'only:qemu', result()), result(), [], 'agree:bochs,qemu', '0x2300e'],
    ['Bochs confirms a decision, which keeps its id', 'prot32-gates/x', entry('prot32-gates/x', 'decision:rf-on-fault', result()), result(), [], 'decision:rf-on-fault', '0x2300e'],
    ['an unclassified disagreement is undecided', 'prot32-pushad/x', entry('prot32-pushad/x', 'agree:kvm,qemu', result()), result({ regs: { rax: '0x1' } }), [], 'undecided', undefined],
    ['#NP for IRET to a not-present SS keeps the #SS decision', 'prot32-iretd/cs-user/ss-not-present/inside-1', entry('prot32-iretd/cs-user/ss-not-present/inside-1', 'only:qemu', result({ regs: { rip: '0x2300d' } })),
      result({ regs: { rip: '0x2300c' } }), [], 'decision:iret-ss-not-present-is-ss', '0x2300d'],
    ['an undecided scenario stays undecided when Bochs matches neither', 'iret64/x', entry('iret64/x', 'undecided'), result({ regs: { rax: '0x7' } }),
      [['kvm', result({ regs: { rax: '0x5' } })], ['qemu', result({ regs: { rax: '0x6' } })]], 'undecided', undefined],
    // Vector 0x20 is not a fault, so QEMU's RF correction leaves the frame alone.
    ['an undecided scenario takes Bochs where it matches QEMU', 'iret64/x', entry('iret64/x', 'undecided'), result({ regs: { rax: '0x6', rip: '0x23021' } }),
      [['kvm', result({ regs: { rax: '0x5', rip: '0x23021' } })], ['qemu', result({ regs: { rax: '0x6', rip: '0x23021' } })]], 'decision:bochs-confirms-qemu', '0x23021'],
    ['but not where QEMU is known to be unreliable', 'int64/int-n/target-noncanonical/cpl0-1', entry('int64/int-n/target-noncanonical/cpl0-1', 'undecided'), result({ regs: { rip: '0x23021' } }),
      [['qemu', result({ regs: { rip: '0x23021' } })]], 'undecided', undefined],
    ['triple faults through an unusable ring-0 stack', 'prot32-gates/ss0-not-present/gp-from-hlt-cpl3-1', entry('prot32-gates/ss0-not-present/gp-from-hlt-cpl3-1', 'undecided'),
      { format: 'switchyard-result/1', stop: 'triple-fault', instructions: '0x0' } as Result,
      [['kvm', result()], ['qemu', { format: 'switchyard-result/1', stop: 'triple-fault', instructions: '0x0' } as Result]], 'decision:kvm-delivers-through-invalid-tss-stack', undefined],
    ['LGDT of a non-canonical base keeps KVM and QEMU (SDM silent; majority)', 'dtload/lgdt-noncanonical-base/1', entry('dtload/lgdt-noncanonical-base/1', 'agree:kvm,qemu', result({ regs: { rip: '0x30008' } })),
      result(), [], 'decision:lgdt-noncanonical-base-loads', '0x30008'],
    ['same-level IRETD in 64-bit mode keeps the SS fault', 'iret64/cs-kernel64/ss-rpl-mismatch/d-canonical-1', entry('iret64/cs-kernel64/ss-rpl-mismatch/d-canonical-1', 'decision:kvm-iret-gp-error-code', result()),
      result({ regs: { rip: '0x30100' } }), [], 'decision:iretd-64-same-level-loads-ss', '0x2300e'],
    ['same-level IRETD in 64-bit mode with a usable SS takes QEMU', 'iret64/cs-kernel64/ss-match/d-canonical-1', entry('iret64/cs-kernel64/ss-match/d-canonical-1', 'undecided'), result({ regs: { rip: '0x30100' } }),
      [['kvm', result()], ['qemu', result({ regs: { rip: '0x30200' } })]], 'decision:iretd-64-same-level-loads-ss', '0x30200'],
    ['IRET to compatibility mode with a null SS takes the #GP', 'iret64/cs-compat-ring0/ss-null/d-canonical-1', entry('iret64/cs-compat-ring0/ss-null/d-canonical-1', 'undecided'), result({ regs: { rip: '0x30100' } }),
      [['kvm', result()], ['qemu', result({ regs: { rip: '0x30100' } })]], 'decision:iret-null-ss-to-compat-gp', '0x2300e'],
    ['but not where the #GP answers differ', 'iret64/cs-compat-ring0/ss-null/q-canonical-1', entry('iret64/cs-compat-ring0/ss-null/q-canonical-1', 'undecided'), result({ regs: { rax: '0x1' } }),
      [['kvm', result()], ['qemu', result({ regs: { rip: '0x30100' } })]], 'undecided', undefined],
    ['INT3 at CPL 0 where Bochs and QEMU agree', 'int64/exception/bp-int3/cpl0-1', entry('int64/exception/bp-int3/cpl0-1', 'undecided'), result({ regs: { rip: '0x23004' } }),
      [['qemu', result({ regs: { rip: '0x23004' } })]], 'decision:bochs-confirms-qemu-int3-cpl0', '0x23004'],
    ['SYSRET: Bochs has the SDM flags, KVM lost IOPL, QEMU lost VIF', 'syscall/sysretq/1', entry('syscall/sysretq/1', 'undecided'), withFrameFlags(0x10002n),
      [['kvm', withFrameFlags(0x13002n)], ['qemu', withFrameFlags(0x90002n)]], 'decision:sysret-rflags-from-r11', '0x2300e'],
    ['SYSRET: not where another oracle differs outside its deviating bits', 'syscall/sysretq/1', entry('syscall/sysretq/1', 'undecided'), withFrameFlags(0x10002n),
      [['kvm', withFrameFlags(0x13002n)], ['qemu', withFrameFlags(0x10003n)]], 'undecided', undefined],
    ['SYSRET: not where Bochs\'s own flags are not the SDM\'s', 'syscall/sysretq/1', entry('syscall/sysretq/1', 'undecided'), withFrameFlags(0x13002n),
      [['kvm', withFrameFlags(0x10002n)], ['qemu', withFrameFlags(0x93002n)]], 'undecided', undefined],
    ['RF after IRET: Bochs clears it, KVM differs only in IOPL, QEMU only in RF', 'iret64/x/q-1', entry('iret64/x/q-1', 'undecided'), result({ regs: { rip: '0x30101', rflags: '0x246' } }),
      [['kvm', result({ regs: { rip: '0x30101', rflags: '0x3246' } })], ['qemu', result({ regs: { rip: '0x30101', rflags: '0x10246' } })]], 'decision:qemu-keeps-rf-after-iret', '0x30101'],
    ['RF after IRET: not where QEMU differs in more', 'iret64/x/q-1', entry('iret64/x/q-1', 'undecided'), result({ regs: { rip: '0x30101', rflags: '0x246' } }),
      [['kvm', result({ regs: { rip: '0x30101', rflags: '0x3246' } })], ['qemu', result({ regs: { rip: '0x30101', rflags: '0x10247' } })]], 'undecided', undefined],
    ['IRETQ to L+D code: #GP(CS selector) at the IRET replaces the agreed return', 'iret64/cs-l-and-d/ss-match/q-canonical-1', entry('iret64/cs-l-and-d/ss-match/q-canonical-1', 'agree:kvm,qemu', result({ regs: { rip: '0x30100' } })),
      gpFrame(0xc8n, 0x30000n), [], 'decision:intel-cs-l-and-d-gp', '0x2300e'],
    ['IRETQ to L+D code: not with another error code', 'iret64/cs-l-and-d/ss-match/q-canonical-1', entry('iret64/cs-l-and-d/ss-match/q-canonical-1', 'agree:kvm,qemu', result({ regs: { rip: '0x30100' } })),
      gpFrame(0x10n, 0x30000n), [], 'undecided', undefined],
    ['#GP frame left by a CPL-3 conforming handler: Bochs sets RF where QEMU does not', 'prot32-gates/to-conforming/gp-from-hlt-cpl3-1',
      entry('prot32-gates/to-conforming/gp-from-hlt-cpl3-1', 'only:qemu', withFrameEflags32(0xc3)), withFrameEflags32(0x100c3), [], 'decision:rf-on-fault-in-an-earlier-frame', '0x2300e'],
    ['but not where the frames differ in more than RF', 'prot32-gates/to-conforming/gp-from-hlt-cpl3-1',
      entry('prot32-gates/to-conforming/gp-from-hlt-cpl3-1', 'only:qemu', withFrameEflags32(0xc3)), withFrameEflags32(0x100c2), [], 'undecided', undefined],
    ['SYSENTER in 64-bit mode: Bochs (Intel) enters where KVM and QEMU (AMD) raise #UD', 'sysenter/long64/sysenter-from-64/1',
      entry('sysenter/long64/sysenter-from-64/1', 'decision:rf-on-fault', result({ regs: { rip: '0x23007' } })), result({ regs: { rip: '0x30401' } }), [], 'decision:intel-sysenter-in-ia32e-mode', '0x30401'],
    ['SYSENTER in compatibility mode, undecided between KVM and QEMU: Bochs', 'sysenter/long64/sysenter-from-compat/1', entry('sysenter/long64/sysenter-from-compat/1', 'undecided'),
      result({ regs: { rip: '0x30401' } }), [['kvm', result({ regs: { rip: '0x23007' } })], ['qemu', result({ regs: { rip: '0x30401', r8: '0x0', rax: '0x1' } })]], 'decision:intel-sysenter-in-ia32e-mode', '0x30401'],
    ['but not where Bochs raises #UD as well', 'sysenter/long64/sysenter-from-64/1',
      entry('sysenter/long64/sysenter-from-64/1', 'agree:kvm,qemu', result({ regs: { rip: '0x23007' } })), result({ regs: { rip: '0x23007', rax: '0x1' } }), [], 'undecided', undefined],
    ['CALL through a 16-bit call gate: Bochs takes the 16-bit IP where QEMU takes the full offset', 'callgate/prot32/16bit-gate/1',
      entry('callgate/prot32/16bit-gate/1', 'decision:kvm-spurious-ud', result({ regs: { rip: '0x30201' } })), result({ regs: { rip: '0x201' } }), [], 'decision:intel-16bit-call-gate-ip', '0x201'],
    ['but not where Bochs stops elsewhere', 'callgate/prot32/16bit-gate/1',
      entry('callgate/prot32/16bit-gate/1', 'decision:kvm-spurious-ud', result({ regs: { rip: '0x30201' } })), result({ regs: { rip: '0x2300e' } }), [], 'undecided', undefined],
    ['#UD through a task gate: Bochs saves RF = 1 in the old TSS where QEMU saves 0', 'task32/ud-task-gate/1', entry('task32/ud-task-gate/1', 'undecided'), withFrameEflags32(0x100c3),
      [['kvm', result({ regs: { rip: '0x2300e' } })], ['qemu', withFrameEflags32(0xc3)]], 'decision:rf-on-fault-in-tss', '0x2300e'],
  ] as [string, string, ConsensusEntry, Result | undefined, [string, Result][], string, string | undefined][])('%s', (_t, name, base, bochs, others, source, rip) => {
    const out = withBochs(scenario(name, name.startsWith('iret64/cs-l-and-d/') ? IRETQ_TO_C8 : []), base, bochs, others);
    expect(out.source).toBe(source);
    expect(out.result?.cpu?.regs.rip).toBe(rip);
    if (source === 'undecided' && base.result) expect(out.disagreement?.some((d) => 'bochs' in d.values)).toBe(true);
  });

  it('takes the MSRs QEMU cannot read from Bochs when it confirms', () => {
    const out = withBochs(scenario('paging32/x'), entry('paging32/x', 'only:qemu', result()), result({ msr: { star: '0x5' } }), []);
    expect(out.result?.cpu?.msr.star).toBe('0x5');
  });
});
