/**
 * 32-bit protected mode: IRETD (SDM Vol. 2A IRET, protected-mode return), interrupt and call
 * gates with TSS SS0:ESP0 stack switches (Vol. 3A §6.12.1, §5.8.5), PUSHAD/POPAD, and 32-bit
 * and PAE paging faults (Vol. 3A §4.3, §4.4).
 */
import { gate32, PTE, SysType, type Level, type PagingMode } from '../../../../emulator/layout/index.ts';
import type { Scenario } from '../scenario-types.ts';
import { A, handlerAddr, Machine, XP } from './machine.ts';

const CS_CHOICES: [string, number][] = [
  ['user', 0x1b], ['kernel', 0x08], ['null', 0x00], ['kernel-rpl3', 0x0b], ['user-rpl0', 0x18],
  ['np-user', XP.codeDpl3NotPresent | 3], ['conf-dpl0-rpl3', XP.codeDpl0Conforming | 3],
  ['conf-dpl3-rpl0', XP.codeDpl3Conforming], ['ring1', XP.codeDpl1 | 1], ['ring2', XP.codeDpl2 | 2],
  ['data-as-cs', 0x23], ['tss-as-cs', 0x2b], ['limited-user', XP.codeDpl3Limited | 3], ['beyond-gdt', 0x3fb],
  ['execonly-user', XP.codeDpl3ExecOnly | 3],
];

const SS_CHOICES: [string, (r: number) => number][] = [
  ['match', (r) => [0x10, XP.dataDpl1 | 1, XP.dataDpl2 | 2, 0x23][r]],
  ['null', (r) => r],
  ['rpl-mismatch', (r) => ([0x10, XP.dataDpl1 | 1, XP.dataDpl2 | 2, 0x23][r] & ~3) | ((r + 1) & 3)],
  ['dpl-mismatch', (r) => (r === 0 ? 0x20 : 0x10) | r],
  ['read-only', (r) => (r === 3 ? XP.dataDpl3ReadOnly : XP.dataDpl0ReadOnly) | r],
  ['not-present', (r) => (r === 3 ? XP.dataDpl3NotPresent : XP.dataDpl0NotPresent) | r],
  ['code-as-ss', (r) => (r === 3 ? 0x18 : 0x08) | r],
  ['limited', (r) => XP.dataDpl3Limited | r],
];

function fillHlt(m: Machine): void {
  m.mem.write(A.UCODE, new Uint8Array(0x100).fill(0xf4));
  m.mem.write(A.KCODE + 0x800, new Uint8Array(0x100).fill(0xf4));
  m.mem.write(0x41000, new Uint8Array(0x100).fill(0xf4));
}

function iretd(out: Scenario[], seed: { v: number }): void {
  for (const [csLabel, cs] of CS_CHOICES) {
    for (const [ssLabel, ssOf] of SS_CHOICES) {
      for (const eipKind of ['inside', 'beyond-limit'] as const) {
        if (eipKind === 'beyond-limit' && csLabel !== 'limited-user' && csLabel !== 'user') continue;
        for (let k = 0; k < 2; k++) {
          const m = new Machine({ mode: 'protected32', seed: seed.v++ });
          fillHlt(m);
          m.code(A.KCODE, 'iret');
          const esp = A.KSTACK - 0x40 - 4 * m.rng.int(4);
          m.regs.rsp = BigInt(esp);
          const r = cs & 3;
          const eip = eipKind === 'beyond-limit' ? 0x41000 + m.rng.int(0x80) : r === 0 ? A.KCODE + 0x800 + m.rng.int(0xf0) : A.UCODE + m.rng.int(0xf0);
          let flags = 0x2n | BigInt(m.rng.u32() & 0x8d5) | (m.rng.bool() ? 0x200n : 0n) | (BigInt(m.rng.int(4)) << 12n);
          if (m.rng.int(3) === 0) flags |= 0x40000n | 0x200000n;
          const newEsp = (r === 0 ? A.KSTACK - 0x200 : A.USTACK) - 4 * m.rng.int(16);
          [eip, cs, flags, newEsp, ssOf(r)].forEach((v, i) => m.mem.writeU32(esp + i * 4, BigInt(v)));
          const dsSet = m.rng.pick([[0x10, 0x10, 0x10, 0x10], [0x23, 0x10, 0, 0x08], [XP.codeDpl0Conforming, XP.dataDpl1 | 1, 0x23, 0x10]]);
          [m.seg.ds, m.seg.es, m.seg.fs, m.seg.gs] = dsSet;
          m.dumpStack(A.USTACK, 0x100).dump(A.KSTACK - 0x280, 0x80);
          out.push(m.build(`prot32-iretd/cs-${csLabel}/ss-${ssLabel}/${eipKind}-${seed.v}`));
        }
      }
    }
  }
}

function gates(out: Scenario[], seed: { v: number }): void {
  const variants: [string, (m: Machine, v: number) => void][] = [
    ['interrupt-dpl3', (m, v) => m.gate(v, { dpl: 3 })],
    ['trap-dpl3', (m, v) => m.gate(v, { dpl: 3, kind: 'trap' })],
    ['dpl0-from-user', (m, v) => m.gate(v, { dpl: 0 })],
    ['not-present', (m, v) => m.gate(v, { dpl: 3, present: false })],
    // Its offset is kept below 64 KiB (where a HLT waits), so that reading it as 16 or 32 bits agrees.
    ['16bit-interrupt', (m, v) => { m.gate(v, { dpl: 3, type: SysType.interruptGate16, offset: handlerAddr(v) & 0xffff }); m.mem.writeU8(handlerAddr(v) & 0xffff, 0xf4); }],
    ['to-ring1', (m, v) => m.gate(v, { dpl: 3, selector: XP.codeDpl1 | 1 })],
    ['to-conforming', (m, v) => m.gate(v, { dpl: 3, selector: XP.codeDpl0Conforming })],
    ['to-data', (m, v) => m.gate(v, { dpl: 3, selector: 0x10 })],
    ['to-np-code', (m, v) => m.gate(v, { dpl: 3, selector: XP.codeDpl0NotPresent })],
    ['ss0-null', (m, v) => { m.gate(v, { dpl: 3 }); m.tss.set([0, 0], 8); }],
    ['ss0-rpl-mismatch', (m, v) => { m.gate(v, { dpl: 3 }); m.tss.set([0x13, 0], 8); }],
    ['ss0-user-data', (m, v) => { m.gate(v, { dpl: 3 }); m.tss.set([0x23, 0], 8); }],
    ['ss0-not-present', (m, v) => { m.gate(v, { dpl: 3 }); m.tss.set([XP.dataDpl0NotPresent, 0], 8); }],
    ['esp0-odd', (m, v) => { m.gate(v, { dpl: 3 }); m.tss.set([0xfe, 0xff, 0x07, 0x00], 4); }],
    ['tss-limit-short', (m, v) => { m.gate(v, { dpl: 3 }); m.gdt[5] = (m.gdt[5] as bigint) & ~0xffffn | 0x7n; }],
  ];
  for (const [label, apply] of variants) {
    for (const user of [true, false]) {
      for (let k = 0; k < 4; k++) {
        const m = new Machine({ mode: 'protected32', seed: seed.v++, user });
        const v = 0x20 + m.rng.int(0xd0);
        apply(m, v);
        const src = k % 2 === 0 ? `int $${v}\nhlt` : 'hlt';
        if (k % 2 === 1) apply(m, 13);
        if (k % 2 === 1 && user && label === 'to-conforming') {
          // The #GP handler runs at CPL 3 (a conforming segment keeps the CPL, Vol. 3A §6.12.1.1), where
          // its own HLT would fault again without end: it leaves through INT 0x41 to CPL 0 instead.
          m.gate(13, { dpl: 3, selector: XP.codeDpl0Conforming, offset: A.KCODE + 0x800 });
          m.gate(0x41, { dpl: 3 });
          m.code(A.KCODE + 0x800, 'int $0x41\nhlt');
        }
        m.code(user ? A.UCODE : A.KCODE, src);
        m.dumpStack(0x7e000, 0x40).dumpStack(0x7ff00 + 0x100, 0x40);
        out.push(m.build(`prot32-gates/${label}/${k % 2 ? 'gp-from-hlt' : 'int-n'}-${user ? 'cpl3' : 'cpl0'}-${seed.v}`));
      }
    }
  }
  // Call gates from CPL 3 to CPL 0 with parameters, and the far return back out.
  for (let k = 0; k < 40; k++) {
    const m = new Machine({ mode: 'protected32', seed: seed.v++, user: true });
    const params = k % 4;
    const gateSel = 0xb8;
    m.gdt.push(gate32({ offset: A.KCODE + 0x200, selector: 0x08, kind: 'call', dpl: 3, paramCount: params }));
    for (let i = 0; i < params; i++) m.regs[(['rax', 'rbx', 'rcx'] as const)[i]] = BigInt(m.rng.u32());
    const pushes = ['%eax', '%ebx', '%ecx'].slice(0, params).map((r) => `push ${r}`).join('\n');
    m.code(A.UCODE, `${pushes}\nlcall $${gateSel | 3}, $0\nhlt`);
    m.code(A.KCODE + 0x200, k % 8 < 4 ? 'hlt' : `mov %esp, %edx\nlret $${params * 4}`);
    m.dumpStack(A.USTACK, 0x40);
    out.push(m.build(`prot32-gates/call-gate/params${params}-${k % 8 < 4 ? 'inside' : 'lret'}-${seed.v}`));
  }
}

function pushad(out: Scenario[], seed: { v: number }): void {
  const bodies: [string, string][] = [
    ['pushad', 'pushal\nhlt'],
    ['popad', 'popal\nhlt'],
    ['pushad-popad-roundtrip', 'pushal\nmov $0, %eax\nmov $0, %ebx\nmov $0, %ebp\npopal\nhlt'],
    ['pushaw', 'pushaw\nhlt'],
    ['popad-esp-ignored', 'movl $0x11111111, 12(%esp)\npopal\nhlt'],
    ['pushad-user', 'pushal\npopal\npushal\nhlt'],
  ];
  for (const [label, body] of bodies) {
    for (let k = 0; k < 25; k++) {
      const user = label === 'pushad-user' || k % 4 === 3;
      const m = new Machine({ mode: 'protected32', seed: seed.v++, user });
      const top = user ? A.USTACK : A.KSTACK;
      m.regs.rsp = BigInt(top - 0x40 - 4 * m.rng.int(8));
      for (let i = 0; i < 0x60; i += 4) m.mem.writeU32(top - 0x60 + i, BigInt(m.rng.u32()));
      m.code(user ? A.UCODE : A.KCODE, body);
      m.dumpStack(top, 0x80);
      out.push(m.build(`prot32-pushad/${label}/${user ? 'cpl3' : 'cpl0'}-${seed.v}`));
    }
  }
}

function paging(out: Scenario[], seed: { v: number }): void {
  const FAULTS: [string, Level, (e: bigint) => bigint, PagingMode[]][] = [
    ['pte-not-present', 1, (e) => e & ~PTE.P, ['legacy32', 'pae']],
    ['pde-not-present', 2, (e) => e & ~PTE.P, ['legacy32', 'pae']],
    ['pte-read-only', 1, (e) => e & ~PTE.RW, ['legacy32', 'pae']],
    ['pde-read-only', 2, (e) => e & ~PTE.RW, ['legacy32', 'pae']],
    ['pte-supervisor', 1, (e) => e & ~PTE.US, ['legacy32', 'pae']],
    ['pde-supervisor', 2, (e) => e & ~PTE.US, ['legacy32', 'pae']],
    ['pte-nx', 1, (e) => e | PTE.NX, ['pae']],
    ['pte-reserved-bit62', 1, (e) => e | (1n << 62n), ['pae']],
    ['pte-no-fault', 1, (e) => e, ['legacy32', 'pae']],
  ];
  for (const [label, level, edit, modes] of FAULTS) {
    for (const mode of modes) {
      for (const access of ['read', 'write', 'fetch'] as const) {
        for (const user of [false, true]) {
          for (let k = 0; k < 2; k++) {
            const m = new Machine({ mode: 'protected32', seed: seed.v++, user, paging: mode });
            if (mode === 'pae') m.efer |= 0x800n;
            const page = 0x200000 + 0x1000 * (1 + m.rng.int(0x1fe));
            const offset = access === 'fetch' ? m.rng.int(0x100) : 4 * m.rng.int(0x3ff);
            m.mem.write(page, new Uint8Array(0x100).fill(0xf4));
            const value = BigInt(m.rng.u32() | 0xf4);
            if (access !== 'fetch') m.mem.writeU32((page + offset) & ~3, value);
            const addr = m.mapFaultPage(m.rng.int(0x100), page) + offset;
            m.pt!.edit(addr, level, edit);
            const src = access === 'read' ? `mov ${addr}, %eax\nhlt` : access === 'write' ? `movl $0x5a5a, ${addr}\nhlt` : `mov $${addr}, %ebx\njmp *%ebx`;
            m.code(user ? A.UCODE : A.KCODE, src);
            m.dump((page + offset) & ~3, 4);
            out.push(m.build(`paging32/${mode}/${label}/${access}-${user ? 'cpl3' : 'cpl0'}-${seed.v}`));
          }
        }
      }
    }
  }
  // 4 MiB pages (CR4.PSE) in 32-bit paging: a large user page and a supervisor one.
  for (let k = 0; k < 24; k++) {
    const m = new Machine({ mode: 'protected32', seed: seed.v++, user: k % 2 === 1, paging: 'legacy32' });
    const dirEntry = m.pt!.entry(0, 2)!;
    // Remap 0..4 MiB as one 4 MiB page, user unless k%4 >= 2 (then a CPL 3 access faults).
    m.mem.writeU32(dirEntry.addr, k % 4 >= 2 ? 0x83n : 0x87n);
    const addr = 0x300000 + 4 * m.rng.int(0x3fff);
    m.mem.writeU32(addr, BigInt(m.rng.u32()));
    m.code(k % 2 ? A.UCODE : A.KCODE, `mov ${addr}, %eax\nmovl $0x77, ${addr + 4}\nhlt`);
    m.dump(addr, 8);
    out.push(m.build(`paging32/legacy32/pse-4m/${k % 4 >= 2 ? 'supervisor' : 'user'}-${k % 2 ? 'cpl3' : 'cpl0'}-${seed.v}`));
  }
}

export function prot32(): Scenario[] {
  const out: Scenario[] = [];
  const seed = { v: 90000 };
  iretd(out, seed);
  gates(out, seed);
  pushad(out, seed);
  paging(out, seed);
  return out;
}
