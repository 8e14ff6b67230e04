/**
 * The machine's named building blocks (`machine:` in a spec): a flat GDT with ring 0 and ring 3
 * segments and a TSS, an IDT whose handlers record the frame, identity-mapped page tables. They
 * live in a fixed system area below the harness and are exposed as regions (`gdt`, `tss`, `idt`,
 * `trap`, `paging`) to the harness, the checks and, for `trap`, as the struct `TRAP_*`.
 */
import {
  descriptorBytes, gate32, gate64, LONG_SEL, longModeGdt, MemoryImage, PageAllocator, PageTables, PROT_SEL, protectedModeGdt, tss32, tss64,
} from '../../emulator/layout/index.ts';
import type { AssemblerPort, SystemState } from './ports.ts';
import type { ExerciseSpec } from './schema.ts';
import { layoutStruct, structSymbols, type StructLayout } from './structs.ts';

export const SYSTEM_AREA = { gdt: 0x1000, tss: 0x1100, trap: 0x1200, idt: 0x2000, stubs: 0x3000, paging: 0x5000, end: 0x8000 } as const;

/** What the recording handlers store: the vector, the error code (0 when the CPU pushes none), the frame, and 1 in `hit`. */
export const TRAP_LAYOUT: StructLayout = layoutStruct('trap', ['vector', 'error', 'rip', 'cs', 'rflags', 'rsp', 'ss', 'hit'], 'TRAP');

/** Vectors for which the CPU pushes an error code (SDM Vol. 3A §6.15, Table 6-1). */
const WITH_ERROR_CODE = new Set([8, 10, 11, 12, 13, 14, 17, 21, 29, 30]);

export interface SystemRegion { name: string; at: number; size: number; writable: boolean; layout?: StructLayout }

export interface SystemSetup {
  regions: SystemRegion[];
  images: { addr: number; bytes: Uint8Array }[];
  state: SystemState;
  problems: string[];
}

function stubSource(long: boolean): string {
  const q = long ? 'q' : 'l';
  const lines = ['.globl trap_common'];
  for (let v = 0; v < 256; v++) {
    lines.push(`trap_vector_${v}:`);
    if (!WITH_ERROR_CODE.has(v)) lines.push(`    push${q} $0`);
    lines.push(`    push${q} $${v}`, '    jmp trap_common');
  }
  const fields = long ? ['VECTOR', 'ERROR', 'RIP', 'CS', 'RFLAGS', 'RSP', 'SS'] : ['VECTOR', 'ERROR', 'RIP', 'CS', 'RFLAGS'];
  lines.push('trap_common:', ...fields.map((f) => `    pop${q} trap + TRAP_${f}`), `    mov${q} $1, trap + TRAP_HIT`, '    hlt');
  return `${lines.join('\n')}\n`;
}

export function buildSystem(spec: ExerciseSpec, assembler: AssemblerPort): SystemSetup {
  const m = spec.machine;
  const long = spec.mode === 'long64';
  const setup: SystemSetup = { regions: [], images: [], state: {}, problems: [] };
  if (!m.gdt && !m.idt && !m.paging && !m.tss) return setup;
  const image = new MemoryImage(spec.ram);

  if (m.tss && !m.gdt) setup.problems.push('machine.tss: a TSS needs `gdt: flat` (its descriptor lives in the GDT)');
  if (m.gdt) {
    const gdt = long ? longModeGdt(SYSTEM_AREA.tss) : protectedModeGdt(SYSTEM_AREA.tss);
    const trSelector = long ? LONG_SEL.tss : PROT_SEL.tss;
    gdt[trSelector + 5] |= 0x2; // TR is loaded, so its descriptor is busy (SDM Vol. 3A §7.2.2).
    // Code and data descriptors start out accessed, as a kernel's GDT does, so the CPU never writes the
    // table when a segment is loaded (SDM Vol. 3A §3.4.5.1) and the learner's writes are the only ones.
    for (let at = 8; at + 8 <= gdt.length; ) {
      const codeOrData = (gdt[at + 5] & 0x10) !== 0;
      if (codeOrData) gdt[at + 5] |= 0x1;
      at += codeOrData || !long ? 8 : 16;
    }
    image.write(SYSTEM_AREA.gdt, gdt);
    const rsp0 = m.tss?.rsp0 ?? 0n, ist1 = m.tss?.ist1;
    if (!long && ist1 !== undefined) setup.problems.push('machine.tss.ist1: 32-bit TSSs have no interrupt stack table');
    image.write(SYSTEM_AREA.tss, long ? tss64({ rsp: [rsp0], ist: ist1 === undefined ? [] : [ist1] }) : tss32({ ss0: PROT_SEL.kernelData, esp0: rsp0 }));
    setup.state.gdtr = { base: SYSTEM_AREA.gdt, limit: gdt.length - 1 };
    setup.state.tr = { selector: trSelector, base: SYSTEM_AREA.tss, limit: 0x67 };
    setup.regions.push({ name: 'gdt', at: SYSTEM_AREA.gdt, size: gdt.length, writable: true }, { name: 'tss', at: SYSTEM_AREA.tss, size: 0x68, writable: true });
  }
  if (m.idt) {
    const stubs = assembler.assemble(stubSource(long), { bits: long ? 64 : 32, symbols: { trap: SYSTEM_AREA.trap, ...structSymbols(TRAP_LAYOUT) }, sectionBases: { '.text': SYSTEM_AREA.stubs } });
    if (!stubs.ok) setup.problems.push(`machine.idt: the recording handlers did not assemble: ${stubs.diagnostics[0]?.message}`);
    const text = stubs.sections.find((s) => s.name === '.text');
    if (text && text.base + text.bytes.length > SYSTEM_AREA.paging) setup.problems.push('machine.idt: the recording handlers do not fit the system area');
    if (text) {
      image.write(text.base, text.bytes);
      setup.regions.push({ name: 'trap_handlers', at: text.base, size: text.bytes.length, writable: false });
    }
    const address = new Map(stubs.symbols.map((s) => [s.name, s.value]));
    const gates: Uint8Array[] = [];
    for (let v = 0; v < 256; v++) {
      const offset = address.get(`trap_vector_${v}`) ?? 0;
      // DPL 3 so that `int $n` from ring 3 reaches the handler too; exceptions ignore the gate's DPL.
      gates.push(descriptorBytes(long ? gate64({ offset, selector: LONG_SEL.kernelCode, kind: 'interrupt', dpl: 3 }) : gate32({ offset, selector: PROT_SEL.kernelCode, kind: 'interrupt', dpl: 3 })));
    }
    const idt = new Uint8Array(gates.reduce((n, g) => n + g.length, 0));
    gates.reduce((at, g) => { idt.set(g, at); return at + g.length; }, 0);
    image.write(SYSTEM_AREA.idt, idt);
    setup.state.idtr = { base: SYSTEM_AREA.idt, limit: idt.length - 1 };
    setup.regions.push({ name: 'idt', at: SYSTEM_AREA.idt, size: idt.length, writable: false }, { name: 'trap', at: SYSTEM_AREA.trap, size: TRAP_LAYOUT.size, writable: true, layout: TRAP_LAYOUT });
  }
  // `paging: harness` places nothing: the CPU follows whatever tables the program loads (adapters.ts).
  if (m.paging === 'identity') {
    if (!long) setup.problems.push('machine.paging: identity paging is available in long64 only for now');
    else {
      const tables = new PageTables(image, 'ia32e', new PageAllocator(SYSTEM_AREA.paging, SYSTEM_AREA.end));
      const top = Math.ceil(spec.ram / 0x200000) * 0x200000;
      if (top > 0x40000000) setup.problems.push('machine.paging: identity paging covers at most 1 GiB of RAM');
      else tables.identityMap(0, top, { pageSize: '2m', writable: true, user: true });
      setup.state.cr3 = tables.root;
      setup.regions.push({ name: 'paging', at: SYSTEM_AREA.paging, size: SYSTEM_AREA.end - SYSTEM_AREA.paging, writable: true });
    }
  }
  for (const entry of image.entries()) {
    const bytes = Uint8Array.from(entry.hex.match(/../g)!.map((b) => parseInt(b, 16)));
    setup.images.push({ addr: Number(entry.addr), bytes });
  }
  return setup;
}
