import { describe, expect, it } from 'vitest';
import { DebugService, type Reply } from '../../../emulator/debug/worker.ts';
import { decodeExtended } from '../../../renderer/src/lib/debugger/extended.ts';
import { fpuChanges, parseFpu, type FpuRegisters } from '../../../renderer/src/lib/debugger/fpu-registers.ts';
import { resolveAddress } from '../../../renderer/src/lib/debugger/memory-address.ts';
import { decodeSaveArea, looksLikeSaveArea, saveAreaLayout, saveAreaSize } from '../../../renderer/src/lib/debugger/save-area.ts';

describe('the FXSAVE/XSAVE layout', () => {
  // Intel SDM Vol. 1, Table 10-2 (64-bit form: FIP and FDP take 8 bytes), Table 10-3 (32-bit form), 13.4.2 and 13.5.3.
  it.each([
    ['FCW', 0, 2], ['FSW', 2, 2], ['FTW', 4, 1], ['FOP', 6, 2], ['FIP', 8, 8], ['FDP', 16, 8], ['MXCSR', 24, 4], ['MXCSR_MASK', 28, 4],
    ['ST0', 32, 10], ['ST1', 48, 10], ['ST7', 144, 10], ['XMM0', 160, 16], ['XMM1', 176, 16], ['XMM7', 272, 16], ['XMM8', 288, 16], ['XMM15', 400, 16],
    ['XSTATE_BV', 512, 8], ['XCOMP_BV', 520, 8], ['YMM0_Hi128', 576, 16], ['YMM15_Hi128', 816, 16],
  ])('%s at %i, %i bytes (64-bit form)', (name, offset, size) => {
    expect(saveAreaLayout('xsave', 64).find((f) => f.name === name)).toMatchObject({ offset, size });
  });

  it.each([['FIP', 8, 4], ['FCS', 12, 2], ['FDP', 16, 4], ['FDS', 20, 2]])('%s at %i, %i bytes (32-bit form)', (name, offset, size) => {
    expect(saveAreaLayout('fxsave', 32).find((f) => f.name === name)).toMatchObject({ offset, size });
  });

  it('keeps FXSAVE to its 512 bytes and has no two fields overlap', () => {
    expect(saveAreaLayout('fxsave', 64).every((f) => f.offset + f.size <= 512)).toBe(true);
    expect(saveAreaLayout('fxsave', 64).some((f) => f.name === 'XSTATE_BV')).toBe(false);
    expect(saveAreaSize('fxsave')).toBe(512);
    expect(saveAreaSize('xsave')).toBe(832);
    for (const form of [32, 64] as const) {
      const fields = saveAreaLayout('xsave', form).sort((a, b) => a.offset - b.offset);
      fields.slice(1).forEach((f, i) => expect(f.offset, f.name).toBeGreaterThanOrEqual(fields[i].offset + fields[i].size));
    }
  });

  it('marks the fields whose bytes changed', () => {
    const before = new Uint8Array(832);
    const after = before.slice();
    after[160] = 1;
    after[513] = 4;
    const changed = decodeSaveArea(after, 'xsave', 64, before).filter((r) => r.changed).map((r) => r.name);
    expect(changed).toEqual(['XMM0', 'XSTATE_BV']);
    expect(decodeSaveArea(after, 'xsave', 64).some((r) => r.changed)).toBe(false);
  });
});

/** A ring-0 program that fills the register file with known values and saves it three ways (VMOVDQU and FLD m64/m80 as bytes). */
const PROGRAM = `
    movq %cr4, %rax
    orq $0x40600, %rax
    movq %rax, %cr4
    movl $7, %eax
    xorl %edx, %edx
    xorl %ecx, %ecx
    xsetbv
    movq $vectors, %rax
${Array.from({ length: 16 }, (_, n) => `    .byte 0xc5, ${n < 8 ? '0xfe' : '0x7e'}, 0x6f, ${0x80 | ((n & 7) << 3)}\n    .long ${n * 32}`).join('\n')}
    ldmxcsr mxcsr_value
    .byte 0xdd, 0x04, 0x25
    .long one
    .byte 0xdb, 0x2c, 0x25
    .long pi80
    .byte 0xdb, 0x2c, 0x25
    .long zero80
    movl $-1, %eax
    movl $-1, %edx
    movq $0x20000, %rdi
    xsave64 (%rdi)
    fxsave64 0x20400
    xsave 0x20800
    hlt
    .data
    .balign 32
vectors:
${Array.from({ length: 64 }, (_, k) => `    .quad 0x${(0x1111111111111111n * BigInt((k % 15) + 1) + BigInt(k)).toString(16)}`).join('\n')}
mxcsr_value:
    .long 0x1fa1
one:
    .quad 0x3ff0000000000000
pi80:
    .quad 0xc90fdaa22168c235
    .word 0x4000
zero80:
    .quad 0
    .word 0
`;

function channel() {
  const replies: Reply[] = [];
  const service = new DebugService((message) => replies.push(message as Reply));
  let next = 1;
  return async (method: string, params?: Record<string, unknown>): Promise<unknown> => {
    const id = next++;
    await service.onMessage({ id, method, params });
    const reply = replies.find((r) => r.id === id)!;
    if (!reply.ok) throw new Error(`${method}: ${reply.error.message}`);
    return reply.result;
  };
}

const vectorQword = (k: number) => BigInt.asUintN(64, 0x1111111111111111n * BigInt((k % 15) + 1) + BigInt(k));

describe('the register file in the debugger’s state, and the areas the CPU saved', () => {
  it('matches what the program loaded, and each save area decodes to the registers', async () => {
    const call = channel();
    const loaded = (await call('load', { source: PROGRAM })) as { ok: boolean; diagnostics: unknown[]; state: { fpu: unknown } };
    expect(loaded.diagnostics.filter((d) => (d as { severity: string }).severity === 'error')).toEqual([]);
    const initial = parseFpu(loaded.state.fpu)!;
    expect(initial.inUse).toBe(false);
    expect(initial).toMatchObject({ fcw: 0x37f, mxcsr: 0x1f80, xcr0: 1 });
    expect(await call('continue')).toMatchObject({ reason: 'hlt' });
    const fpu = parseFpu(((await call('state')) as { fpu: unknown }).fpu)!;

    expect(fpu.inUse).toBe(true);
    expect(fpu.xcr0).toBe(7);
    expect(fpu.mxcsr).toBe(0x1fa1);
    for (let r = 0; r < 16; r++) {
      expect(fpu.xmm[r], `xmm${r}`).toBe((vectorQword(r * 4 + 1) << 64n) | vectorQword(r * 4));
      expect(fpu.ymmHi[r], `ymm${r} upper half`).toBe((vectorQword(r * 4 + 3) << 64n) | vectorQword(r * 4 + 2));
    }
    expect(fpu.st.slice(0, 3).map((v) => decodeExtended(v).text)).toEqual(['0', '3.14159265358979323851', '1']);
    expect(fpu.st.slice(3).every((v) => v === 0n)).toBe(true);
    expect((fpu.fsw >> 11) & 7).toBe(5);
    expect(fpu.ftag).toBe(0xe0);

    const area = async (address: number, kind: 'xsave' | 'fxsave', form: 32 | 64) => {
      const bytes = (await call('readMemory', { address, length: saveAreaSize(kind) })) as Uint8Array;
      return Object.fromEntries(decodeSaveArea(bytes, kind, form).map((r) => [r.name, r.value]));
    };
    const expectLegacy = (fields: Record<string, bigint>, registers: FpuRegisters) => {
      expect(fields).toMatchObject({ FCW: BigInt(registers.fcw), FSW: BigInt(registers.fsw), FTW: BigInt(registers.ftag), FOP: BigInt(registers.fop), MXCSR: BigInt(registers.mxcsr), MXCSR_MASK: 0xffffn });
      registers.st.forEach((v, i) => expect(fields[`ST${i}`], `ST${i}`).toBe(v));
      registers.xmm.forEach((v, i) => expect(fields[`XMM${i}`], `XMM${i}`).toBe(v));
    };
    const xsave64 = await area(0x20000, 'xsave', 64);
    expectLegacy(xsave64, fpu);
    expect(xsave64).toMatchObject({ FIP: fpu.fip, FDP: fpu.fdp, XSTATE_BV: 7n, XCOMP_BV: 0n });
    fpu.ymmHi.forEach((v, i) => expect(xsave64[`YMM${i}_Hi128`], `YMM${i}_Hi128`).toBe(v));
    const fxsave64 = await area(0x20400, 'fxsave', 64);
    expectLegacy(fxsave64, fpu);
    const xsave32 = await area(0x20800, 'xsave', 32);
    expectLegacy(xsave32, fpu);
    expect(xsave32).toMatchObject({ FIP: BigInt.asUintN(32, fpu.fip), FCS: 0n, FDS: 0n, XSTATE_BV: 7n });
    expect(fpu.fip).toBeGreaterThan(0x10000n);
  });

  it('names what changed between two stops', async () => {
    const call = channel();
    await call('load', { source: PROGRAM });
    const states: FpuRegisters[] = [];
    for (let i = 0; i < 100; i++) {
      const stop = (await call('step')) as { reason: string };
      states.push(parseFpu(((await call('state')) as { fpu: unknown }).fpu)!);
      if (stop.reason !== 'step') break;
    }
    const changes = states.slice(1).map((s, i) => [...fpuChanges(states[i], s)].sort().join(' '));
    // xsetbv, then sixteen VMOVDQU loads, LDMXCSR and three FLDs.
    expect(changes).toContain('xcr0');
    expect(changes).toContain('xinuse xmm0 ymm0');
    expect(changes).toContain('xmm15 ymm15');
    expect(changes).toContain('mxcsr');
    expect(changes.filter((c) => c.includes('st0') && c.includes('fsw') && c.includes('ftag'))).toHaveLength(3);
    expect(fpuChanges(undefined, states[0]).size).toBe(0);
  });
});

describe('the memory view’s address box', () => {
  const regions = [{ name: 'tb', address: 0x20400, fields: [{ name: 'rsp', offset: 0 }, { name: 'fpu', offset: 64 }] }];
  it.each([
    ['0x21000', 0x21000n],
    ['4096', 4096n],
    ['tb', 0x20400n],
    ['tb.fpu', 0x20440n],
    ['tb.fpu + 0x200', 0x20640n],
    ['0x1_0000', 0x10000n],
  ])('%s is %s', (text, address) => {
    expect(resolveAddress(text, regions)).toEqual({ address, label: text });
  });

  it.each([
    ['', /write an address/],
    ['ta.fpu', /neither an address nor a region .*\(tb\)/],
    ['tb.fp', /tb has no field 'fp' \(rsp, fpu\)/],
    ['tb + x', /'x' is not an offset/],
  ])('%j is refused', (text, message) => {
    const resolved = resolveAddress(text, regions);
    expect('error' in resolved && resolved.error).toMatch(message);
  });

  it.each([['fpu', true], ['xsave_area', true], ['fxstate', true], ['rsp', false], ['cr3', false]])('a field named %s offers the decoded area: %s', (name, offers) => {
    expect(looksLikeSaveArea(name)).toBe(offers);
  });
});
