import { describe, expect, it, vi } from 'vitest';
import { DraftSaver, type DraftFallback } from '../../../renderer/src/lib/drafts/draft-saver.ts';
import { fieldDiff, namedField, type CaseView, type CheckView } from '../../../renderer/src/lib/results/field-diff.ts';
import { decodeGdt, decodeIdt, describeFlags, describeSelector } from '../../../renderer/src/lib/debugger/machine-view.ts';
import { sandboxProgram } from '../../../renderer/src/lib/sandbox/machine-config.ts';
import { instructionFacts, intelSyntaxAt, labelDefinitions } from '../../../renderer/src/lib/editor/x86asm.ts';

class MemoryStorage implements DraftFallback {
  readonly items = new Map<string, string>();
  getItem(key: string) { return this.items.get(key) ?? null; }
  setItem(key: string, value: string) { this.items.set(key, value); }
  removeItem(key: string) { this.items.delete(key); }
}

describe('DraftSaver', () => {
  it('debounces edits into one save and clears the fallback once the backend has it', async () => {
    vi.useFakeTimers();
    const saved: string[] = [];
    const storage = new MemoryStorage();
    const saver = new DraftSaver(async (_id, source) => void saved.push(source), storage, undefined, 100);
    saver.edit('ex', 'a');
    saver.edit('ex', 'ab');
    expect(storage.items.size).toBe(1);
    await vi.advanceTimersByTimeAsync(150);
    expect(saved).toEqual(['ab']);
    expect(storage.items.size).toBe(0);
    vi.useRealTimers();
  });

  it('keeps the text locally while the backend is unreachable, retries, and prefers it on the next load', async () => {
    vi.useFakeTimers();
    let up = false;
    const saved: string[] = [];
    const states: string[] = [];
    const storage = new MemoryStorage();
    const save = async (_id: string, source: string) => {
      if (!up) throw new Error('unreachable');
      saved.push(source);
    };
    const saver = new DraftSaver(save, storage, (s) => states.push(s), 10, 1000);
    saver.edit('ex', 'mov');
    await vi.advanceTimersByTimeAsync(20);
    expect(states.at(-1)).toBe('offline');
    const reopened = new DraftSaver(save, storage);
    expect(reopened.choose('ex', 'older backend text', 'starter')).toBe('mov');
    up = true;
    await vi.advanceTimersByTimeAsync(1100);
    expect(saved).toContain('mov');
    expect(storage.items.size).toBe(0);
    expect(new DraftSaver(save, storage).choose('ex', null, 'starter')).toBe('starter');
    vi.useRealTimers();
  });
});

describe('fieldDiff', () => {
  const failing: CaseView = {
    index: 0, seed: '0x5eed', stop: 'hlt', initial: {}, registers: {},
    inputs: { rbx: '0x7', rcx: '0x1' },
    structs: { ctx: { rbx: { offset: '0x8', value: '0x1' }, rcx: { offset: '0x10', value: '0x1' }, rip: { offset: '0x88', value: '0x40000' } } },
  };
  const check = { name: 'regs', kind: 'expect', passed: false, weight: 1, hidden: false, failedCases: 1, message: 'ctx.rbx (offset 0x8) holds 0x1, expected 0x7 (in.rbx)', expected: '0x7', actual: '0x1' } satisfies CheckView;

  it.each([
    ['rbx', { expected: '0x7', source: 'check', mismatch: true, named: true }],
    ['rcx', { expected: '0x1', source: 'input', mismatch: false, named: false }],
    ['rip', { expected: undefined, mismatch: false, named: false }],
  ])('field %s', (field, expected) => {
    expect(fieldDiff(failing, check).find((r) => r.field === field)).toMatchObject(expected);
  });

  it.each([
    ['ctx.rsp (offset 0x38) holds', { region: 'ctx', field: 'rsp' }],
    ['returned with rbx changed', undefined],
  ])('names the field of %j', (message, expected) => expect(namedField(message)).toEqual(expected));
});

describe('editor language helpers', () => {
  it.each([
    ['pushq', 'PUSH'],
    ['iretq', 'IRETQ'],
    ['movl', 'MOV'],
    ['MOV', 'MOV'],
    ['notaninsn', undefined],
  ])('%s is documented as %s', (word, mnemonic) => expect(instructionFacts(word)?.mnemonic).toBe(mnemonic));

  it('follows the syntax directives down the file', () => {
    const source = 'movq %rax, %rbx\n.intel_syntax noprefix\nmov rax, rbx\n.att_syntax\nret';
    expect([1, 2, 3, 4, 5].map((line) => intelSyntaxAt(source, line))).toEqual([false, true, true, false, false]);
  });

  it('finds label definitions by line and column', () => {
    expect([...labelDefinitions('start:\n  nop\n  .Lloop: jmp .Lloop\n')]).toEqual([['start', { line: 1, column: 1 }], ['.Lloop', { line: 3, column: 3 }]]);
  });
});

describe('sandboxProgram', () => {
  it.each([
    ['rdi=0x20000\nrax = 5', { rdi: '0x20000', rax: '0x5' }],
    ['# comment\n\nrsp=-8', { rsp: '0xfffffffffffffff8' }],
  ])('reads %j', (registers, expected) => {
    const made = sandboxProgram('hlt', { mode: 'long64', ramKiB: 1024, registers });
    expect('replay' in made && made.replay.registers).toEqual(expected);
  });
  it.each([
    ['rdi 5', /line 1: expected name=value/],
    ['foo=1', /line 1: 'foo' is not a register/],
    ['rax=1\nrbx=zz', /line 2: 'zz' is not a number/],
  ])('refuses %j', (registers, message) => {
    const made = sandboxProgram('hlt', { mode: 'long64', ramKiB: 1024, registers });
    expect('error' in made && made.error).toMatch(message);
  });
});

describe('descriptor tables', () => {
  const qwords = (...values: bigint[]) => {
    const bytes = new Uint8Array(values.length * 8);
    values.forEach((v, i) => new DataView(bytes.buffer).setBigUint64(i * 8, v, true));
    return bytes;
  };
  it.each([
    [0x00af9a000000ffffn, '64-bit code, readable, base 0x0, limit 0xffffffff, DPL 0'],
    [0x00cf92000000ffffn, '32-bit data, writable, base 0x0, limit 0xffffffff, DPL 0'],
    [0x00affa000000ffffn, '64-bit code, readable, base 0x0, limit 0xffffffff, DPL 3'],
    [0x0000f2012340ffffn, '16-bit data, writable, base 0x12340, limit 0xffff, DPL 3'],
    [0x00af1a000000ffffn, '64-bit code, readable, base 0x0, limit 0xffffffff, DPL 0, not present'],
  ])('GDT entry %s', (descriptor, text) => {
    expect(decodeGdt(qwords(0n, descriptor), true)[1].text).toBe(text);
  });
  it('a 64-bit busy TSS takes two slots', () => {
    const rows = decodeGdt(qwords(0n, 0x00008b0010000067n, 0n), true);
    expect(rows.map((r) => r.text)).toEqual(['null', 'TSS (busy), base 0x1000, limit 0x67, DPL 0']);
  });
  it('IDT gate with IST', () => {
    const gate = qwords(0x00008e0100081000n, 0n);
    expect(decodeIdt(gate, true)).toEqual([{ index: 0, selector: 'vector 0', text: 'interrupt gate → 0x8:0x1000, DPL 0, IST 1' }]);
  });
  it('flags and selectors', () => {
    expect(describeFlags(0x246n)).toBe('PF ZF IF');
    expect(describeFlags(0x2n)).toBe('(none)');
    expect(describeFlags(0x3f7fd5n)).toBe('CF PF AF ZF SF TF IF DF OF NT RF VM AC VIF VIP ID IOPL=3');
    expect(describeFlags(0x1082n)).toBe('SF IOPL=1');
    expect(describeSelector(0x2bn)).toBe('index 5, GDT, RPL 3');
  });
});
