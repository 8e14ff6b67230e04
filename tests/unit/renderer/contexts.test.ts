import { describe, expect, it } from 'vitest';
import { groupContexts, type StructView } from '../../../renderer/src/lib/debugger/contexts.ts';

const ctx = (name: string, address: number, values: [bigint, bigint, bigint], changed: [boolean, boolean, boolean] = [false, false, false]): StructView => ({
  name,
  address,
  fields: ['rsp', 'rip', 'rflags'].map((field, i) => ({ name: field, offset: i * 8, value: values[i], changed: changed[i] })),
});

describe('groupContexts', () => {
  it('lines up two contexts by field, marking differing and changed fields', () => {
    const groups = groupContexts([ctx('prev', 0x1000, [0x8000n, 0x10000n, 0x202n], [true, false, false]), ctx('next', 0x1100, [0x9000n, 0x10000n, 0x2n])]);
    expect(groups).toHaveLength(1);
    expect(groups[0].names).toEqual(['prev', 'next']);
    expect(groups[0].rows.map((r) => [r.field, r.differs, r.changed])).toEqual([
      ['rsp', true, [true, false]],
      ['rip', false, [false, false]],
      ['rflags', true, [false, false]],
    ]);
    expect(groups[0].rows[0].values).toEqual([0x8000n, 0x9000n]);
  });

  it.each([
    ['a single region', [ctx('only', 0, [1n, 2n, 3n])], 0],
    ['regions of different layouts', [ctx('a', 0, [1n, 2n, 3n]), { name: 'frame', address: 64, fields: [{ name: 'rip', offset: 0, value: 1n, changed: false }] }], 0],
    ['three of one type', [ctx('a', 0, [1n, 2n, 3n]), ctx('b', 32, [1n, 2n, 3n]), ctx('c', 64, [1n, 2n, 4n])], 1],
    ['nothing', [], 0],
  ] as [string, StructView[], number][])('%s → %i group(s)', (_name, structs, count) => {
    expect(groupContexts(structs)).toHaveLength(count);
  });

  it('three contexts: a field differs when any one differs', () => {
    const [group] = groupContexts([ctx('a', 0, [1n, 2n, 3n]), ctx('b', 32, [1n, 2n, 3n]), ctx('c', 64, [1n, 2n, 4n])]);
    expect(group.rows.map((r) => r.differs)).toEqual([false, false, true]);
  });
});
