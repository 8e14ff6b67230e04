/**
 * Double and triple faults, SYSCALL/SYSRET, SWAPGS, descriptor-table loads and address-space
 * switches in IA-32e mode.
 */
import { PTE, tss64Descriptor, LONG_STAR } from '../../../../emulator/layout/index.ts';
import type { Scenario } from '../scenario-types.ts';
import { A, istTop, Machine, XL } from './machine.ts';
import { SURROGATE_CODE, surrogateName } from './iret64.ts';

/** SDM Vol. 3A §6.15 "Interrupt 8 — Double Fault Exception", Table 6-5. */
export function doubleFaults(): Scenario[] {
  const out: Scenario[] = [];
  let seed = 60000;
  const cases: [string, (m: Machine) => string][] = [
    ['np-during-np', (m) => { m.gate(0x41, { present: false, dpl: 3 }); m.gate(11, { present: false }); return 'int $0x41'; }],
    ['gp-during-np', (m) => { m.gate(0x41, { present: false, dpl: 3 }); m.gate(11, { selector: 0x10 }); return 'int $0x41'; }],
    ['gp-during-gp', (m) => { m.gate(13, { selector: 0x10 }); return 'ud2\nmov $0x0000800000000000, %rbx\nmov (%rbx), %rax'; }],
    ['np-during-de', (m) => { m.gate(0, { present: false }); return 'xor %ecx, %ecx\ndiv %ecx'; }],
    ['gp-during-ud-benign', (m) => { m.gate(6, { selector: 0x10 }); return 'ud2'; }],
    ['np-during-bp-benign', (m) => { m.gate(3, { present: false, dpl: 3 }); return 'int3'; }],
    ['pf-during-pf', (m) => { m.pt!.edit(A.RSP0 - 8, 1, (e) => e & ~PTE.P); const x = m.mapFaultPage(5, 0x300000); m.pt!.edit(x, 1, (e) => e & ~PTE.P); return `mov ${x}, %rax`; }],
    ['gp-during-pf', (m) => { m.gate(14, { selector: 0x10 }); const x = m.mapFaultPage(6, 0x300000); m.pt!.edit(x, 1, (e) => e & ~PTE.P); return `mov ${x}, %rax`; }],
    ['pf-during-gp', (m) => { m.pt!.edit(A.RSP0 - 8, 1, (e) => e & ~PTE.P); return 'hlt'; }],
    ['idt-limit-covers-only-df', (m) => { m.idtLimit = 9 * 16 - 1; return 'ud2'; }],
    ['df-not-present-triple', (m) => { m.gate(13, { present: false }); m.gate(11, { present: false }); m.gate(8, { present: false }); return 'hlt'; }],
    ['df-stack-not-present-triple', (m) => { m.gate(13, { present: false }); m.gate(11, { present: false }); m.gate(8, { ist: 6 }); m.pt!.edit(istTop(6) - 8, 1, (e) => e & ~PTE.P); return 'hlt'; }],
    ['idt-limit-zero-triple', (m) => { m.idtLimit = 0; return 'ud2'; }],
    ['df-gate-bad-selector-triple', (m) => { m.gate(0, { present: false }); m.gate(8, { selector: 0x23 }); return 'xor %ecx, %ecx\ndiv %ecx'; }],
  ];
  for (const [label, setup] of cases) {
    for (const user of [false, true]) {
      for (let k = 0; k < 5; k++) {
        const m = new Machine({ mode: 'long64', seed: seed++, user, fineLow: label.includes('pf-during') || label.includes('stack') });
        const src = setup(m);
        if (k % 2 === 1 && m.idt.has(8) && !label.includes('triple')) m.gate(8, { ist: 7 });
        m.code(user ? A.UCODE : A.KCODE, `${src}\nhlt`);
        for (let n = 5; n <= 7; n++) m.dumpStack(istTop(n), 0x40);
        out.push(m.build(`df64/${label}/${user ? 'cpl3' : 'cpl0'}-${seed}`));
      }
    }
  }
  return out;
}

/** SDM Vol. 2B SYSCALL, SYSRET: STAR/LSTAR/CSTAR/SFMASK, RCX/R11, canonical checks. */
export function syscalls(): Scenario[] {
  const out: Scenario[] = [];
  let seed = 70000;
  for (let k = 0; k < 80; k++) {
    const compat = k % 4 === 3;
    const m = new Machine({ mode: 'long64', seed: seed++, user: true });
    if (compat) { m.seg.cs = 0x1b; }
    m.msr.star = LONG_STAR | BigInt(m.rng.u32());
    m.msr.lstar = BigInt(A.KCODE + 0x400);
    m.msr.cstar = BigInt(A.KCODE + 0x600);
    m.msr.sfmask = BigInt(m.rng.u32()) & 0x257fd5n;
    m.regs.rflags |= BigInt(m.rng.int(4)) << 12n | (m.rng.bool() ? 0x200n : 0n) | (m.rng.bool() ? 0x40000n : 0n);
    m.code(A.UCODE, 'syscall\nhlt', compat ? 32 : 64);
    m.mem.write(A.KCODE + 0x400, Uint8Array.of(0xf4));
    m.mem.write(A.KCODE + 0x600, Uint8Array.of(0xf4));
    if (k % 5 === 4) m.efer &= ~1n;
    out.push(m.build(`syscall/syscall/${compat ? 'compat' : '64'}${m.efer & 1n ? '' : '-sce0'}-${seed}`));
  }
  const sysretKinds: [string, string, (m: Machine) => void][] = [
    ['sysretq', 'sysretq', (m) => { m.regs.rcx = BigInt(A.UCODE + m.rng.int(0xf0)); }],
    ['sysretq-plain-r11', 'sysretq', (m) => { m.regs.rcx = BigInt(A.UCODE + m.rng.int(0xf0)); m.regs.r11 = 0x202n | (m.rng.u64() & 0x8d5n); }],
    ['sysretl', 'sysretl', (m) => { m.regs.rcx = (m.rng.u64() & ~0xffffffffn) | BigInt(A.UCODE + m.rng.int(0xf0)); }],
    ['sysretq-noncanonical', 'sysretq', (m) => { m.regs.rcx = 0x0000800000000000n | BigInt(A.UCODE); }],
    ['sysretq-high-canonical', 'sysretq', (m) => { m.regs.rcx = 0xffff800000040000n; }],
    ['sysret-at-cpl3', 'sysretq', (m) => { m.regs.rcx = BigInt(A.UCODE + 0x80); }],
    ['sysret-sce0', 'sysretq', (m) => { m.efer &= ~1n; m.regs.rcx = BigInt(A.UCODE); }],
  ];
  for (const [label, insn, setup] of sysretKinds) {
    for (let k = 0; k < 25; k++) {
      const atUser = label === 'sysret-at-cpl3';
      const thisSeed = seed++;
      const surrogates = ['sysretq-noncanonical', 'sysretq', 'sysretl'].includes(label) ? [false, true] : [false];
      for (const surrogate of surrogates) {
      const m = new Machine({ mode: 'long64', seed: thisSeed, user: atUser });
      // User data segments, so that an IRETQ to CPL 3 nulls none of them (SYSRET never does).
      if (!atUser) { m.seg.ds = 0x23; m.seg.es = 0x23; }
      m.msr.star = LONG_STAR | BigInt(m.rng.u32());
      m.mem.write(A.UCODE, new Uint8Array(0x100).fill(0xf4));
      setup(m);
      // R11 becomes RFLAGS: random, with reserved bits that SYSRET must not take (SDM: RFLAGS ← (R11 & 3C7FD7H) | 2).
      if (label !== 'sysretq-plain-r11') m.regs.r11 = m.rng.u64() & 0xffffffffn & ~0x100n;
      m.regs.rsp = BigInt(A.USTACK - 8 * m.rng.int(16));
      let code = insn;
      if (surrogate && label === 'sysretq-noncanonical') code = SURROGATE_CODE;
      else if (surrogate) {
        // SYSRET's effect written as an IRETQ frame (Vol. 2B SYSRET, Operation):
        // RIP ← RCX (ECX for SYSRETL), CS ← STAR[63:48] + 16 (or + 0) | 3, SS ← STAR[63:48] + 8 | 3,
        // RFLAGS ← (R11 & 3C7FD7H) | 2, RSP unchanged.
        const q = insn === 'sysretq';
        const frame = [q ? m.regs.rcx : m.regs.rcx & 0xffffffffn, q ? 0x2bn : 0x1bn, (m.regs.r11 & 0x3c7fd7n) | 2n, m.regs.rsp, 0x23n];
        frame.forEach((v, i) => m.mem.writeU64(0x51000 + i * 8, v));
        code = 'mov $0x51000, %rsp\niretq';
      }
      m.code(atUser ? A.UCODE + 0x200 : A.KCODE, code);
      if (atUser) m.regs.rip = BigInt(A.UCODE + 0x200);
      const name = `syscall/${label}/${thisSeed + 1}`;
      out.push(m.build(surrogate ? surrogateName(name) : name));
      }
    }
  }
  // STAR arithmetic (Vol. 2B SYSCALL/SYSRET): SYSCALL takes CS = STAR[47:32] & FFFCH and
  // SS = that + 8; SYSRETQ takes CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8, both with RPL 3.
  // The selectors are loaded with fixed flat attributes whatever the GDT holds there.
  for (const [label, kernelBase, userBase] of [
    ['star-user-0x1b', 0x08, 0x1b], ['star-user-0x28', 0x08, 0x28], ['star-user-0x40', 0x08, 0x40],
    ['star-kernel-0x0b', 0x0b, 0x18], ['star-kernel-0x48', 0x48, 0x18], ['star-user-0x08', 0x08, 0x08],
  ] as const) {
    for (let k = 0; k < 8; k++) {
      const sysret = k % 2 === 0;
      const m = new Machine({ mode: 'long64', seed: seed++, user: !sysret });
      m.msr.star = (BigInt(userBase) << 48n) | (BigInt(kernelBase) << 32n);
      m.msr.lstar = BigInt(A.KCODE + 0x400);
      m.msr.sfmask = 0x200n;
      m.mem.write(A.UCODE, new Uint8Array(0x100).fill(0xf4));
      m.mem.write(A.KCODE + 0x400, Uint8Array.of(0xf4));
      if (sysret) {
        m.seg.ds = 0x23; m.seg.es = 0x23;
        m.regs.rcx = BigInt(A.UCODE + m.rng.int(0xf0));
        m.regs.r11 = 0x202n | (m.rng.u64() & 0x8d5n);
        m.regs.rsp = BigInt(A.USTACK - 8 * m.rng.int(16));
        m.code(A.KCODE, 'sysretq');
      } else {
        m.code(A.UCODE + 0x200, 'syscall\nhlt');
        m.regs.rip = BigInt(A.UCODE + 0x200);
      }
      out.push(m.build(`syscall/${label}/${sysret ? 'sysret' : 'syscall'}-${seed}`));
    }
  }
  // A round trip: user → SYSCALL → kernel saves RCX/R11 → SYSRETQ → user HLT (#GP frame).
  for (let k = 0; k < 50; k++) {
    const m = new Machine({ mode: 'long64', seed: seed++, user: true });
    m.msr.star = LONG_STAR;
    m.msr.lstar = BigInt(A.KCODE + 0x400);
    m.msr.sfmask = m.rng.bool() ? 0x47700n : 0x200n;
    m.code(A.UCODE, 'syscall\nhlt');
    m.code(A.KCODE + 0x400, 'mov %rsp, %r15\nmov $0x7ff00, %rsp\npush %rcx\npush %r11\npushfq\npop %rax\npop %r11\npop %rcx\nmov %r15, %rsp\nsysretq');
    m.dumpStack(0x7ff00, 0x20);
    out.push(m.build(`syscall/round-trip/${seed}`));
  }
  return out;
}

/** SWAPGS (SDM Vol. 2B): CPL 0 only, 64-bit mode only. */
export function swapgs(): Scenario[] {
  const out: Scenario[] = [];
  let seed = 75000;
  const bodies: [string, string, boolean][] = [
    ['once', 'swapgs\nmov %gs:0x10, %rax\nhlt', false],
    ['twice', 'swapgs\nswapgs\nmov %gs:0x10, %rax\nhlt', false],
    ['then-wrmsr-readback', 'swapgs\nmov $0xc0000102, %ecx\nrdmsr\nhlt', false],
    ['load-gs-selector', 'mov $0x10, %ax\nmov %ax, %gs\nswapgs\nhlt', false],
    ['at-cpl3', 'swapgs\nhlt', true],
  ];
  for (const [label, body, user] of bodies) {
    for (let k = 0; k < 16; k++) {
      const m = new Machine({ mode: 'long64', seed: seed++, user });
      m.gsBase = BigInt(0x50000 + 0x100 * m.rng.int(16));
      m.kernelGsBase = BigInt(0x58000 + 0x100 * m.rng.int(16));
      m.mem.writeU64(Number(m.gsBase) + 0x10, m.rng.u64()).writeU64(Number(m.kernelGsBase) + 0x10, m.rng.u64());
      m.code(user ? A.UCODE : A.KCODE, body);
      out.push(m.build(`swapgs/${label}/${seed}`));
    }
  }
  return out;
}

/** LGDT/LIDT/LTR/LLDT and their stores (SDM Vol. 2A LGDT/LIDT, Vol. 2A LTR, LLDT). */
export function tableLoads(): Scenario[] {
  const out: Scenario[] = [];
  let seed = 80000;
  const TSS2 = 0xd8; // a second TSS descriptor appended to the GDT (16 bytes)
  const cases: [string, (m: Machine) => string][] = [
    ['ltr-available', () => `mov $${TSS2}, %ax\nltr %ax\nstr %rbx\nhlt`],
    ['ltr-busy', (m) => { m.gdt[m.gdt.length - 1] = tss64Descriptor(A.TSS + 0x200, { busy: true }); return `mov $${TSS2}, %ax\nltr %ax\nhlt`; }],
    ['ltr-null', () => 'xor %eax, %eax\nltr %ax\nhlt'],
    ['ltr-data-segment', () => 'mov $0x10, %ax\nltr %ax\nhlt'],
    ['ltr-not-present', (m) => { m.gdt[m.gdt.length - 1] = tss64Descriptor(A.TSS + 0x200, { present: false }); return `mov $${TSS2}, %ax\nltr %ax\nhlt`; }],
    ['ltr-ldt-selector', () => `mov $${TSS2 | 4}, %ax\nltr %ax\nhlt`],
    ['ltr-ldt-descriptor', () => `mov $${XL.ldt}, %ax\nltr %ax\nhlt`],
    ['ltr-beyond-limit', () => 'mov $0x3f0, %ax\nltr %ax\nhlt'],
    ['lldt-and-load', () => `mov $${XL.ldt}, %ax\nlldt %ax\nmov $0x0f, %bx\nmov %bx, %ds\nsldt %rcx\nhlt`],
    ['lldt-null', () => 'xor %eax, %eax\nlldt %ax\nsldt %rcx\nhlt'],
    ['lldt-tss-descriptor', () => `mov $${TSS2}, %ax\nlldt %ax\nhlt`],
    ['lgdt-then-reload', (m) => {
      m.mem.writeU16(0x50000, 0x3f).writeU64(0x50002, BigInt(A.GDT));
      return 'lgdt 0x50000\nsgdt 0x50010\nmov $0x23, %ax\nmov %ax, %ds\nhlt';
    }],
    ['lidt-then-fault', (m) => {
      m.mem.writeU16(0x50000, 0x6f).writeU64(0x50002, BigInt(A.IDT));
      return 'lidt 0x50000\nsidt 0x50010\nud2\nhlt';
    }],
    ['lidt-short-then-fault', (m) => {
      m.mem.writeU16(0x50000, 0x5f).writeU64(0x50002, BigInt(A.IDT));
      return 'lidt 0x50000\nud2\nhlt';
    }],
    ['lgdt-noncanonical-base', (m) => {
      m.mem.writeU16(0x50000, 0x3f).writeU64(0x50002, 0x0000800000000000n);
      return 'lgdt 0x50000\nhlt';
    }],
    ['str-sgdt-sidt', () => 'str %rax\nsgdt 0x50020\nsidt 0x50030\nsldt %rdx\nhlt'],
  ];
  for (const [label, setup] of cases) {
    for (let k = 0; k < 10; k++) {
      const m = new Machine({ mode: 'long64', seed: seed++ });
      m.gdt.push(tss64Descriptor(A.TSS + 0x200));
      m.mem.write(A.TSS + 0x200, new Uint8Array(0x68));
      const src = setup(m);
      m.code(A.KCODE, src);
      m.dump(A.GDT + 0x30, 0x10).dump(A.GDT + TSS2, 0x10).dump(0x50000, 0x40);
      out.push(m.build(`dtload/${label}/${seed}`));
    }
  }
  return out;
}

/** MOV to CR3 between two address spaces, page-table edits with INVLPG (SDM Vol. 3A §4.10.4). */
export function addressSpaces(): Scenario[] {
  const out: Scenario[] = [];
  let seed = 85000;
  for (let k = 0; k < 160; k++) {
    const m = new Machine({ mode: 'long64', seed: seed++ });
    const pa = 0x200000 + 0x1000 * m.rng.int(0xf0);
    const pb = 0x300000 + 0x1000 * m.rng.int(0xf0);
    const x = m.mapFaultPage(m.rng.int(0x100), pa);
    // Second address space: PML4 → PDPT → PD copies of the first, with X's page table replaced.
    const pml4b = 0x1e000, pdptB = 0x1d000, pdB = 0x1c000, ptB = 0x1b000;
    const pdpt = Number(m.mem.readU64(m.pt!.root) & 0xfffff000n);
    const pd = Number(m.mem.readU64(pdpt) & 0xfffff000n);
    m.mem.write(pdptB, m.mem.read(pdpt, 0x1000));
    m.mem.write(pdB, m.mem.read(pd, 0x1000));
    m.mem.writeU64(pml4b, BigInt(pdptB) | 7n).writeU64(pdptB, BigInt(pdB) | 7n).writeU64(pdB + 3 * 8, BigInt(ptB) | 7n);
    m.mem.writeU64(ptB + ((x >> 12) & 0x1ff) * 8, BigInt(pb) | 7n);
    m.mem.writeU64(pa, m.rng.u64()).writeU64(pb, m.rng.u64());
    const variant = k % 4;
    let src: string;
    if (variant === 0) {
      src = `mov ${x}, %rax\nmov $${pml4b}, %rcx\nmov %rcx, %cr3\nmov ${x}, %rbx\nhlt`;
    } else if (variant === 1) {
      src = `mov ${x}, %rax\nmov $${pml4b}, %rcx\nmov %rcx, %cr3\nmov ${x}, %rbx\nmov $${m.pt!.root}, %rcx\nmov %rcx, %cr3\nmov ${x}, %rdx\nhlt`;
    } else if (variant === 2) {
      // Edit the live PTE to point at pb, INVLPG, read again.
      const pteAddr = m.pt!.entry(x, 1)!.addr;
      src = `mov ${x}, %rax\nmovq $${pb | 7}, ${pteAddr}\ninvlpg ${x}\nmov ${x}, %rbx\nhlt`;
    } else {
      // X unmapped in the second space: the read after the switch faults with CR2 = X.
      m.mem.writeU64(ptB + ((x >> 12) & 0x1ff) * 8, 0n);
      src = `mov ${x}, %rax\nmov $${pml4b}, %rcx\nmov %rcx, %cr3\nmov ${x}, %rbx\nhlt`;
    }
    m.code(A.KCODE, src);
    m.dump(pa, 8).dump(pb, 8);
    out.push(m.build(`cr3/${['switch', 'switch-back', 'edit-invlpg', 'unmapped-after-switch'][variant]}/${seed}`));
  }
  return out;
}
