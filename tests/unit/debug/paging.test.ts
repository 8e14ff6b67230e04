import { describe, expect, it } from 'vitest';
import { assemble } from '../../../emulator/asm/index.ts';
import { Debugger, type DebuggerOptions } from '../../../emulator/debug/debugger.ts';
import { SourceMap } from '../../../emulator/debug/source-map.ts';
import { Machine, pagingTranslate } from '../../../emulator/index.ts';
import { MemoryImage, PageAllocator, PageTables } from '../../../emulator/layout/index.ts';
import { expectSameState, fullState, type FullState } from './helpers.ts';

const RAM = 0x200000;
const SHARED = 0x400000;
const PHYS_A = 0x90000;
const PHYS_B = 0xa0000;

/** Two address spaces that map the same linear page to different frames; the program switches CR3 between them and fills the page with REP STOSQ (several slices). */
function twoSpaces(options: DebuggerOptions) {
  const image = new MemoryImage(RAM);
  const alloc = new PageAllocator(0x100000, 0x140000);
  const a = new PageTables(image, 'ia32e', alloc).identityMap(0, RAM, { pageSize: '2m' }).map(SHARED, PHYS_A).map(SHARED + 0x1000, PHYS_A + 0x1000).map(SHARED + 0x2000, PHYS_A + 0x2000);
  const b = new PageTables(image, 'ia32e', alloc).identityMap(0, RAM, { pageSize: '2m' }).map(SHARED, PHYS_B).map(SHARED + 0x1000, PHYS_B + 0x1000).map(SHARED + 0x2000, PHYS_B + 0x2000);
  const source = `
    mov $${SHARED}, %rdi
    movq $0x11, (%rdi)
    mov $${b.root}, %rax
    mov %rax, %cr3
    movq $0x22, (%rdi)
    lea 8(%rdi), %rdi
    mov $0x33, %eax
    mov $${(0x3000 - 8) / 8}, %ecx
    rep stosq
    mov $${a.root}, %rax
    mov %rax, %cr3
    mov ${SHARED}, %rbx
    hlt
`;
  const result = assemble(source, { bits: 64, sectionBases: { '.text': 0x10000 } });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  const machine = new Machine({ ramSize: RAM });
  for (const e of image.entries()) machine.load(Number(e.addr), Uint8Array.from(e.hex.match(/../g)!.map((h) => parseInt(h, 16))));
  for (const s of result.sections) machine.load(s.base, s.bytes);
  machine.translate = pagingTranslate(machine.cpu);
  machine.setRegister('cr3', BigInt(a.root));
  machine.setRegister('rsp', 0x80000n);
  machine.setRegister('rip', 0x10000n);
  return { machine, dbg: new Debugger(machine, { sources: SourceMap.fromAssembly(result), ...options }) };
}

describe('time travel with paging', () => {
  it.each<[string, DebuggerOptions]>([
    ['stepping with the hook', { checkpointInterval: 3 }],
    ['recorded in bursts', { checkpointInterval: 3, analysis: false }],
  ])('%s: every state comes back, journal by physical frame, REP slices as positions', (_how, options) => {
    const ref = twoSpaces({ checkpointInterval: 3 });
    const states: FullState[] = [fullState(ref.machine)];
    for (let s = ref.dbg.step(); ; s = ref.dbg.step()) {
      states.push(fullState(ref.machine));
      if (s.reason !== 'step') break;
    }
    expect(ref.machine.getRegister('rbx')).toBe(0x11n);
    expect(ref.machine.read(PHYS_B + 0x2ff8, 8)[0]).toBe(0x33);
    expect(ref.machine.read(PHYS_A + 8, 8)[0]).toBe(0);

    const t = twoSpaces(options);
    expect(t.dbg.continue().reason).toBe('hlt');
    expect(t.dbg.position).toBe(states.length - 1);
    for (let p = states.length - 1; p >= 0; p--) {
      t.dbg.goto(p);
      expectSameState(fullState(t.machine), states[p], `position ${p}`);
    }
    expect(t.dbg.events.filter((e) => e.kind === 'cr3-load').length).toBe(options.analysis === false ? 0 : 2);
  });
});

describe('the debugger leaves no trace', () => {
  it('setting a watchpoint through the page tables and stepping over leave the accessed bits to the program', () => {
    const t = twoSpaces({});
    const before = fullState(t.machine);
    t.dbg.addWatchpoint({ kind: 'memory', address: SHARED, length: 8, access: 'access' });
    expectSameState(fullState(t.machine), before, 'after adding a watchpoint');
    // The first instruction itself is what sets them (on the code page's and SHARED's walks).
    const ref = twoSpaces({ analysis: false });
    ref.dbg.step();
    t.dbg.stepOver();
    expectSameState(fullState(t.machine), fullState(ref.machine), 'after one step');
  });
});
