/**
 * Page faults in IA-32e mode: every error-code bit (SDM Vol. 3A §4.7, Figure 4-12: P, W/R, U/S,
 * RSVD, I/D) and CR2, from CPL 0 and CPL 3, reads, writes and fetches, at each paging level.
 */
import { PTE, type Level } from '../../../../emulator/layout/index.ts';
import type { Scenario } from '../scenario-types.ts';
import { A, Machine } from './machine.ts';

type Access = 'read' | 'write' | 'fetch';

const FAULTS: [string, Level, (e: bigint) => bigint][] = [
  ['pte-not-present', 1, (e) => e & ~PTE.P],
  ['pde-not-present', 2, (e) => e & ~PTE.P],
  ['pdpte-not-present', 3, (e) => e & ~PTE.P],
  ['pte-read-only', 1, (e) => e & ~PTE.RW],
  ['pde-read-only', 2, (e) => e & ~PTE.RW],
  ['pte-supervisor', 1, (e) => e & ~PTE.US],
  ['pml4e-supervisor', 4, (e) => e & ~PTE.US],
  ['pte-nx', 1, (e) => e | PTE.NX],
  ['pde-nx', 2, (e) => e | PTE.NX],
  // Reserved bits that do not depend on MAXPHYADDR: bit 13 of a 2 MiB PDE (bits 20:13 must be
  // 0), and XD when EFER.NXE = 0 (SDM Vol. 3A §4.5.4, Table 4-20; §4.6.1).
  ['pde-2m-reserved-bit13', 2, (e) => e | (1n << 13n)],
  ['pte-xd-with-nxe-off', 1, (e) => e | PTE.NX],
  ['pml4e-ps-reserved', 4, (e) => e | PTE.PS],
  ['pte-no-fault', 1, (e) => e],
];

function accessCode(access: Access, addr: bigint): string {
  switch (access) {
    case 'read': return `mov $${addr}, %rbx\nmov (%rbx), %rax\nhlt`;
    case 'write': return `mov $${addr}, %rbx\nmovq $0x5a5a, (%rbx)\nhlt`;
    case 'fetch': return `mov $${addr}, %rbx\njmp *%rbx`;
  }
}

export function pf64(): Scenario[] {
  const out: Scenario[] = [];
  let seed = 40000;
  for (const [label, level, edit] of FAULTS) {
    for (const access of ['read', 'write', 'fetch'] as Access[]) {
      for (const user of [false, true]) {
        for (const wp of [true, false]) {
          if (!wp && !(label.includes('read-only') && !user)) continue;
          for (let k = 0; k < 2; k++) {
            const m = new Machine({ mode: 'long64', seed: seed++, user });
            if (!wp) m.cr0 &= ~0x10000n;
            // Target: a page in 2..4 MiB (its own page table), the PDPT/PML4 levels cover all RAM.
            const page = 0x200000 + 0x1000 * (1 + m.rng.int(0x1fe));
            const offset = access === 'fetch' ? m.rng.int(0x100) : 8 * m.rng.int(0x1ff);
            m.mem.write(page, new Uint8Array(0x100).fill(0xf4));
            // Data for reads and writes; fetches land on the HLTs (never on random bytes).
            const value = m.rng.u64() | 0xf4n;
            if (access !== 'fetch') m.mem.writeU64((page + offset) & ~7, value);
            // Keep the code, stacks and tables reachable when a whole PDE/PDPTE/PML4E changes:
            // the scenario's own pages live below 2 MiB, under different PDEs but the same PDPTE.
            let lin: bigint;
            if (label === 'pde-2m-reserved-bit13') {
              m.pt!.map(0x800000, 0x200000, { user: true, pageSize: '2m' });
              lin = BigInt(0x800000 + page - 0x200000 + offset);
            } else if (level >= 3) {
              // Under PML4E/PDPTE 1 (512 GiB / 1 GiB up): an alias of the page with its own tables.
              const hi = level === 4 ? 0x8000000000n : 0x40000000n;
              m.pt!.map(hi + BigInt(page), page, { user: true });
              lin = hi + BigInt(page + offset);
            } else {
              lin = BigInt(m.mapFaultPage(m.rng.int(0x100), page) + offset);
            }
            if (label === 'pte-xd-with-nxe-off') m.efer &= ~0x800n;
            m.pt!.edit(lin, level, edit);
            m.code(user ? A.UCODE : A.KCODE, accessCode(access, lin));
            m.dump(page, 0x10).dump((page + offset) & ~7, 8);
            out.push(m.build(`pf64/${label}/${access}-${user ? 'cpl3' : 'cpl0'}${wp ? '' : '-wp0'}-${seed}`));
          }
        }
      }
    }
  }
  // Faults during delivery: the RSP0 stack page not present (#PF on the push, then #DF if the
  // #PF handler's own stack is the same page, else a plain #PF from the frame push).
  for (let k = 0; k < 48; k++) {
    const m = new Machine({ mode: 'long64', seed: seed++, user: true, fineLow: true });
    m.pt!.edit(A.RSP0 - 8, 1, (e) => e & ~PTE.P);
    const pfIst = k % 2 === 0;
    if (pfIst) m.gate(14, { ist: 4 });
    m.gate(8, { ist: 5 });
    m.code(A.UCODE, m.rng.pick(['ud2', 'hlt', 'int3', 'xor %ecx, %ecx\ndiv %ecx']));
    if (k % 4 === 1) m.gate(3, { dpl: 3 });
    m.dumpStack(0x8c000, 0x40).dumpStack(0x8d000, 0x40);
    out.push(m.build(`pf64/delivery-stack-not-present/${pfIst ? 'pf-on-ist' : 'pf-on-rsp0'}-${seed}`));
  }
  return out;
}
