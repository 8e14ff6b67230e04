import { describe, expect, it } from 'vitest';
import { differences } from './compare.ts';
import { decodeOutcome, encodeOutcome } from './fixtures.ts';
import { CaseBuilder, UndefinedFlagRead } from './gen/builder.ts';
import { FAMILIES } from './gen/families.ts';
import { decodeForms } from './gen/iced.ts';
import { edgeValues, Random } from './gen/random.ts';
import { FAMILY_NAMES, generateCases, generateFamily } from './generate.ts';
import { CODE_ADDR, DATA_ADDR, DATA_SIZE, GPR_NAMES, STACK_TOP, type NativeCase, type NativeOutcome } from './types.ts';

const bytesOf = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
const small = Object.fromEntries(FAMILY_NAMES.map((f) => [f, 40]));

// The mnemonics the conformance suite promises to cover (docs/conformance-native.md).
const REQUIRED = `mov movzx movsx movsxd cmovo cmovge xchg xadd cmpxchg cmpxchg8b cmpxchg16b bswap lea push pop pushf pushfq popf popfq
  enter leave add adc sub sbb cmp inc dec neg and or xor not test mul imul div idiv shl sal shr sar rol ror rcl rcr shld shrd
  bt bts btr btc bsf bsr tzcnt lzcnt popcnt seto setle jo jg jmp call ret loop loope loopne jrcxz jecxz movsb movsq stosw lodsd
  cmpsb scasq clc stc cmc cld std lahf sahf cbw cwde cdqe cwd cdq cqo nop pause ud2 int3`.split(/\s+/);

describe('native case generator', () => {
  it('is deterministic: the same seed gives the same cases', () => {
    expect(generateCases({ seed: 'a', counts: small })).toEqual(generateCases({ seed: 'a', counts: small }));
  });

  it('different seeds give different cases', () => {
    const a = generateFamily('alu', 'a', 50).map((c) => c.code + c.regs.rax);
    const b = generateFamily('alu', 'b', 50).map((c) => c.code + c.regs.rax);
    expect(a).not.toEqual(b);
  });

  it('a family is independent of the others (its own random stream)', () => {
    const alone = generateFamily('shift', 's', 30);
    const together = generateCases({ seed: 's', counts: small }).filter((c) => c.family === 'shift').slice(0, 30);
    expect(together).toEqual(alone);
  });

  it.each(FAMILIES.map((f) => [f.name, f] as const))('%s: every form and mnemonic appears within one period', (_name, family) => {
    const cases = generateFamily(family.name, 'coverage', family.period());
    const decoded = cases.flatMap((c) => decodeForms(bytesOf(c.code)));
    const forms = new Set(decoded.map((d) => d.form));
    const mnemonics = new Set(decoded.map((d) => d.mnemonic));
    expect(family.forms().map((f) => f.name).filter((f) => !forms.has(f))).toEqual([]);
    expect(family.mnemonics().filter((m) => !mnemonics.has(m))).toEqual([]);
  });

  it('covers every mnemonic the suite promises', () => {
    const promised = new Set<string>();
    for (const family of FAMILIES) for (const c of generateFamily(family.name, 'coverage', family.period())) for (const d of decodeForms(bytesOf(c.code))) promised.add(d.mnemonic);
    expect(REQUIRED.filter((m) => !promised.has(m))).toEqual([]);
  });

  it('covers all operand widths and both register and memory operands in ALU forms', () => {
    const texts = generateFamily('alu', 'w', 2000).map((c) => c.text);
    for (const pattern of [/\bal\b|\bbl\b|r\d+b\b/, /\bax\b|r\d+w\b/, /\beax\b|r\d+d\b/, /\brax\b|\br\d+\b/, /byte ptr \[|\[.*\],\w+b\b/, /qword ptr \[|\[.*\],r\w\w\b/, /^lock /])
      expect(texts.some((t) => pattern.test(t)), String(pattern)).toBe(true);
  });

  it('shift counts include 0, 1, width-1, width, width+1 and masked counts', () => {
    const counts = new Set(generateFamily('shift', 'c', 3000).map((c) => /,(\w+)h?$/.exec(c.text)?.[1]).filter(Boolean));
    for (const n of ['0', '1', '7', '8', '9', '1Fh', '20h', '21h', '3Fh', '40h', '41h', '0FFh']) expect(counts.has(n), n).toBe(true);
  });

  it('edge values sit on every sign boundary', () => {
    const e = edgeValues(32);
    for (const v of [0n, 1n, 0xffffffffn, 0x7fn, 0x80n, 0x7fffn, 0x8000n, 0x7fffffffn, 0x80000000n]) expect(e).toContain(v);
    expect(edgeValues(8).every((v) => v <= 0xffn)).toBe(true);
  });

  it('fills undefinedFlags from iced-x86 (MUL leaves SF ZF AF PF undefined, ADD none, DIV all six)', () => {
    const mul = generateFamily('mul-div', 'f', 200).find((c) => c.text.startsWith('mul '))!;
    expect(BigInt(mul.undefinedFlags)).toBe(0x80n | 0x40n | 0x10n | 0x4n);
    const add = generateFamily('alu', 'f', 10).find((c) => c.text.startsWith('add '))!;
    expect(add.undefinedFlags).toBe('0x0');
    const div = generateFamily('mul-div', 'f', 200).find((c) => c.text.startsWith('div '))!;
    expect(BigInt(div.undefinedFlags)).toBe(0x8d5n);
  });

  const r = (reg: string) => ({ kind: 'reg', reg }) as const;
  it.each([
    ['imul then add: ADD defines every flag', [['Imul_r32_rm32', 'EAX', 'EBX'], ['Add_rm32_r32', 'ECX', 'EDX']], 0x0],
    ['add then imul: SF ZF AF PF undefined', [['Add_rm32_r32', 'ECX', 'EDX'], ['Imul_r32_rm32', 'EAX', 'EBX']], 0xd4],
    ['imul then shl by CL: the count may be 0, so IMUL\'s undefined flags stay undefined', [['Imul_r32_rm32', 'EAX', 'EBX'], ['Shl_rm32_CL', 'EDX', 'CL']], 0xd4 | 0x810],
  ] as const)('folds undefined flags through a sequence: %s', (_name, code, expected) => {
    const b = new CaseBuilder(new Random('fold'));
    for (const [form, ...regs] of code) b.emit(form, regs.map(r));
    expect(b.undefinedFlags).toBe(expected);
  });

  it.each([
    ['ADC after BSF (CF undefined)', 'Bsf_r32_rm32', ['EAX', 'EBX'], 'Adc_rm32_r32', ['ECX', 'EDX']],
    ['CMOVA after IMUL (ZF undefined)', 'Imul_r32_rm32', ['EAX', 'EBX'], 'Cmova_r32_rm32', ['ECX', 'EDX']],
    ['SETP after MUL (PF undefined)', 'Mul_rm32', ['EBX'], 'Setp_rm8', ['CL']],
  ])('refuses an instruction that reads a flag left undefined: %s', (_name, first, firstRegs, second, secondRegs) => {
    const b = new CaseBuilder(new Random('refuse'));
    b.emit(first, firstRegs.map(r));
    expect(() => b.emit(second, secondRegs.map(r))).toThrow(UndefinedFlagRead);
  });

  it('keeps the layout of the contract: code at CODE_ADDR, pointers into the data page, RSP at STACK_TOP unless a family moves it into the data page', () => {
    for (const c of generateCases({ seed: 'layout', counts: small })) {
      const rsp = BigInt(c.regs.rsp);
      expect(c.code.length).toBeGreaterThan(0);
      expect((c.data?.length ?? 0) / 2).toBeLessThanOrEqual(DATA_SIZE);
      if (c.family === 'stack' || c.family === 'branch') expect(rsp >= DATA_ADDR && rsp < DATA_ADDR + BigInt(DATA_SIZE)).toBe(true);
      else if (c.family === 'faults' && /^(push|pop|call|ret)\b|\brsp\b/.test(c.text)) continue;
      else if (!/\b(rsp|esp|sp|spl)\b/.test(c.text)) expect(rsp).toBe(STACK_TOP);
      expect(BigInt(c.rflags) & 0x202n).toBe(0x202n);
    }
    expect(CODE_ADDR).toBe(0x10000000n);
  });
});

describe('fixture encoding and comparison', () => {
  const c = generateFamily('stack', 'fx', 1)[0];
  const outcome: NativeOutcome = {
    regs: { ...c.regs, rax: '0x1234', rsp: `0x${(BigInt(c.regs.rsp) - 8n).toString(16)}` },
    rflags: '0x246',
    data: c.data!.slice(0, 10) + 'abcd' + c.data!.slice(14),
    fault: '#PF',
    faultRip: '0x10000003',
  };

  it('stores only what changed and rebuilds the full outcome', () => {
    const line = encodeOutcome(c, outcome);
    expect(line.split(' ').length).toBeLessThanOrEqual(6);
    const back = decodeOutcome(c, line);
    expect(differences(c, outcome, back)).toEqual([]);
    expect(BigInt(back.regs.rax)).toBe(0x1234n);
    expect(back.fault).toBe('#PF');
  });

  const withFlags = (x: NativeCase, undefinedFlags: string): NativeCase => ({ ...x, undefinedFlags });
  it.each([
    ['a register', { ...outcome, regs: { ...outcome.regs, r9: '0x1' } }, '0x0', ['r9']],
    ['a defined flag', { ...outcome, rflags: '0x247' }, '0x0', ['rflags']],
    ['an undefined flag only', { ...outcome, rflags: '0x247' }, '0x1', []],
    ['a data byte', { ...outcome, data: 'ff' + outcome.data.slice(2) }, '0x0', ['data']],
    ['the fault', { ...outcome, fault: undefined, faultRip: undefined }, '0x0', ['fault']],
    ['the fault RIP', { ...outcome, faultRip: '0x10000000' }, '0x0', ['fault RIP']],
  ] as const)('notices a different %s', (_what, other, undef, expected) => {
    const diffs = differences(withFlags(c, undef), outcome, other as NativeOutcome);
    expect(diffs.map((d) => d.what)).toEqual(expected);
    expect(GPR_NAMES.length).toBe(16);
  });
});
