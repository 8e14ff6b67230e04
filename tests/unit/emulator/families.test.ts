import { describe, expect, it } from 'vitest';
import { CF, DF, OF, SF, STATUS, ZF, run } from './helpers.ts';

type Row = [text: string, hex: string, setup: { regs?: Record<string, bigint>; flags?: bigint; data?: string }, expected: Record<string, bigint>, data?: [offset: number, hex: string], flags?: [mask: bigint, value: bigint]];

const rows: Row[] = [
  // Data movement
  ['mov rax,[rdi]', '488b07', { data: '8877665544332211' }, { rax: 0x1122334455667788n }],
  ['mov [rdi+8],rsi', '48897708', { regs: { rsi: 0xdeadbeefcafef00dn } }, {}, [8, '0df0fecaefbeadde']],
  ['mov rax,[rip+0x100]', '488b0500010000', {}, { rax: 0n }],
  ['mov al,[0x8000] (moffs-like disp32)', '8a042500800000', { regs: { rax: 0xffffn }, data: '42' }, { rax: 0xff42n }],
  ['movsx rax,byte [rdi]', '480fbe07', { data: '80' }, { rax: 0xffffffffffffff80n }],
  ['movzx eax,word [rdi]', '0fb707', { regs: { rax: 0xffffffffffffffffn }, data: 'feff' }, { rax: 0xfffen }],
  ['movsxd rax,ecx', '4863c1', { regs: { rcx: 0x80000000n } }, { rax: 0xffffffff80000000n }],
  ['cmovne rax,rbx (not taken)', '480f45c3', { regs: { rax: 1n, rbx: 2n }, flags: ZF }, { rax: 1n }],
  ['cmove eax,ebx (not taken still zero-extends)', '0f44c3', { regs: { rax: 0xffffffff00000005n, rbx: 2n } }, { rax: 5n }],
  ['xchg rax,[rdi]', '488707', { regs: { rax: 1n }, data: '8877665544332211' }, { rax: 0x1122334455667788n }, [0, '0100000000000000']],
  ['xadd [rdi],ecx', '0fc10f', { regs: { rcx: 3n }, data: '05000000' }, { rcx: 5n }, [0, '08000000']],
  ['cmpxchg [rdi],rcx (equal)', '480fb10f', { regs: { rax: 7n, rcx: 9n }, data: '0700000000000000' }, { rax: 7n }, [0, '0900000000000000'], [ZF, ZF]],
  ['cmpxchg [rdi],rcx (different)', '480fb10f', { regs: { rax: 1n, rcx: 9n }, data: '0700000000000000' }, { rax: 7n }, [0, '0700000000000000'], [ZF, 0n]],
  ['cmpxchg16b [rdi] (equal)', '480fc70f', { regs: { rax: 1n, rdx: 2n, rbx: 3n, rcx: 4n }, data: '01000000000000000200000000000000' }, {}, [0, '03000000000000000400000000000000'], [ZF, ZF]],
  ['bswap rax', '480fc8', { regs: { rax: 0x0102030405060708n } }, { rax: 0x0807060504030201n }],
  ['lea rax,[rbx+rcx*4+8]', '488d448b08', { regs: { rbx: 0x100n, rcx: 0x10n } }, { rax: 0x148n }],
  ['movbe eax,[rdi]', '0f38f007', { data: '11223344' }, { rax: 0x11223344n }],
  // Stack
  ['push rax; pop rbx', '505b', { regs: { rax: 0x1234n } }, { rbx: 0x1234n, rsp: 0x20000n }],
  ['pushfq; popfq round trip', '9c9d', { flags: CF | ZF }, { rsp: 0x20000n }, undefined, [STATUS, CF | ZF]],
  ['enter 16,0; leave', 'c8100000c9', { regs: { rbp: 0x5555n } }, { rsp: 0x20000n, rbp: 0x5555n }],
  ['call +0; pop rax', 'e80000000058', {}, { rax: 0x1005n, rsp: 0x20000n }],
  // Control
  ['jrcxz taken skips the next instruction', 'e302 ffc0 90', { regs: { rcx: 0n } }, { rax: 0n }],
  ['loop three times', '31c0 ffc0 e2fc', { regs: { rcx: 3n } }, { rax: 3n, rcx: 0n }],
  ['jmp rax to the end', 'ffe0 ffc3', { regs: { rax: 0x1004n } }, { rbx: 0n }],
  // Strings
  ['rep movsb copies and advances', 'f3a4', { regs: { rsi: 0x8000n, rdi: 0x8100n, rcx: 5n }, data: '0102030405' }, { rcx: 0n, rsi: 0x8005n, rdi: 0x8105n }, [0x100, '0102030405']],
  ['rep movsd (AT&T movsl, not SSE2 MOVSD) copies doublewords', 'f3a5', { regs: { rsi: 0x8000n, rdi: 0x8100n, rcx: 2n }, data: '0102030405060708' }, { rcx: 0n, rsi: 0x8008n, rdi: 0x8108n }, [0x100, '0102030405060708']],
  ['std; rep movsb copies backwards', 'fdf3a4', { regs: { rsi: 0x8004n, rdi: 0x8104n, rcx: 5n }, data: '0102030405' }, { rcx: 0n, rsi: 0x7fffn, rdi: 0x80ffn }, [0x100, '0102030405'], [DF, DF]],
  ['repne scasb finds a zero byte', 'f2ae', { regs: { rax: 0n, rcx: 100n }, data: '4142430044' }, { rcx: 96n, rdi: 0x8004n }, undefined, [ZF, ZF]],
  ['rep stosq', 'f348ab', { regs: { rax: 0x1111111111111111n, rcx: 2n } }, { rcx: 0n, rdi: 0x8010n }, [0, '11111111111111111111111111111111']],
  ['cmpsb sets flags from [rsi]-[rdi]', 'a6', { regs: { rsi: 0x8000n, rdi: 0x8001n }, data: '0102' }, { rsi: 0x8001n, rdi: 0x8002n }, undefined, [CF | ZF | SF, CF | SF]],
  // Bits
  ['bt rax,rcx (offset 127 wraps to 63)', '480fa3c8', { regs: { rax: 0x8000000000000000n, rcx: 127n } }, {}, undefined, [CF, CF]],
  ['bts dword [rdi],35 (immediate modulo 32)', '0fba2f23', { data: '00000000' }, {}, [0, '08000000'], [CF, 0n]],
  ['bt [rdi],rcx with a register offset beyond the dword', '0fa30f', { regs: { rcx: 33n }, data: '0000000002000000' }, {}, undefined, [CF, CF]],
  ['bsf rax,rbx (zero source keeps rax)', '480fbcc3', { regs: { rax: 0x1234n, rbx: 0n } }, { rax: 0x1234n }, undefined, [ZF, ZF]],
  ['bsf rax,rbx', '480fbcc3', { regs: { rbx: 0x80n } }, { rax: 7n }, undefined, [ZF, 0n]],
  ['tzcnt eax,ebx (zero source)', 'f30fbcc3', { regs: { rbx: 0n } }, { rax: 32n }, undefined, [CF | ZF, CF]],
  ['lzcnt rax,rbx', 'f3480fbdc3', { regs: { rbx: 1n } }, { rax: 63n }, undefined, [CF | ZF, 0n]],
  ['popcnt rax,rbx', 'f3480fb8c3', { regs: { rbx: 0xff00ffn } }, { rax: 16n }, undefined, [STATUS, 0n]],
  // Flags and conversions
  ['lahf', '9f', { flags: CF | ZF | SF }, { rax: 0xc300n }],
  ['sahf', '9e', { regs: { rax: 0x4100n } }, {}, undefined, [STATUS, CF | ZF]],
  ['cmc', 'f5', { flags: CF }, {}, undefined, [CF, 0n]],
  ['setl al (SF != OF)', '0f9cc0', { flags: SF }, { rax: 1n }],
  ['sete byte [rdi]', '0f9407', { flags: ZF }, {}, [0, '01']],
  ['cqo', '4899', { regs: { rax: 0x8000000000000000n } }, { rdx: 0xffffffffffffffffn }],
  ['cdqe', '4898', { regs: { rax: 0xffffffff80000000n } }, { rax: 0xffffffff80000000n }],
  ['nop dword [rax+rax] touches no memory', '0f1f0400', { regs: { rax: 0x7fffffffffffn } }, {}],
  ['xchg ax,ax is a NOP', '6690', { regs: { rax: 0x1234n } }, { rax: 0x1234n }],
  ['cpuid leaf 0', '0fa2', { regs: { rax: 0n } }, { rbx: 0x756e6547n, rdx: 0x49656e69n, rcx: 0x6c65746en }],
  // Operand- and address-size prefixes
  ['add ax,bx keeps the upper bits', '6601d8', { regs: { rax: 0x1234ffffn, rbx: 1n } }, { rax: 0x12340000n }, undefined, [CF | ZF, CF | ZF]],
  ['mov eax,[edi] with a 32-bit address wraps the upper half away', '678b07', { regs: { rdi: 0xffffffff00008000n }, data: '44332211' }, { rax: 0x11223344n }],
  ['push ax / pop bx use 2-byte slots', '6650 665b', { regs: { rax: 0xabcdn, rbx: 0xffffffffffff0000n } }, { rbx: 0xffffffffffffabcdn, rsp: 0x20000n }],
];

describe('instruction families', () => {
  it.each(rows)('%s', (_text, hex, setup, expected, data, flags) => {
    const o = run(hex, setup);
    expect(o.result.reason, o.result.message).toBe('breakpoint');
    for (const [name, value] of Object.entries(expected)) expect(`${name}=0x${o.reg(name).toString(16)}`).toBe(`${name}=0x${value.toString(16)}`);
    if (data) expect(o.data(data[0], data[1].length / 2)).toBe(data[1]);
    if (flags) expect(`0x${(o.flags & flags[0]).toString(16)}`).toBe(`0x${flags[1].toString(16)}`);
  });

  it('RDTSC counts retired instructions', () => {
    const o = run('90 90 90 0f31');
    expect(o.reg('rax')).toBe(3n);
    expect(o.reg('rdx')).toBe(0n);
  });

  it('16-bit addressing in 32-bit code: mov eax,[bx+si]', () => {
    const o = run('678b00', { mode: 'protected32', regs: { rbx: 0x8000n, rsi: 0x10n }, data: '00000000000000000000000000000000efbeadde' });
    expect(o.result.reason, o.result.message).toBe('breakpoint');
    expect(o.reg('rax')).toBe(0xdeadbeefn);
  });

  it('in 32-bit protected mode PUSHAD/POPAD and 32-bit stack operations work', () => {
    const o = run('60 31c0 61', { mode: 'protected32', regs: { rax: 0x11n, rsp: 0x20000n } });
    expect(o.result.reason, o.result.message).toBe('breakpoint');
    expect(o.reg('rax')).toBe(0x11n);
    expect(o.reg('rsp')).toBe(0x20000n);
  });
});

/** CR4.PAE with OSFXSR and OSXMMEXCPT: the OS has enabled SSE. */
const OSFXSR = 0x620n;

describe('faults name the instruction and stop precisely', () => {
  it.each([
    ['ud2', '0f0b', '#UD', 'UD2: undefined instruction (raised on purpose)', 0x1000n],
    ['vaddps', 'c5f058c2', '#UD', 'VADDPS is not implemented by this CPU', 0x1000n],
    ['lock on a register form', 'f04801d8', '#UD', 'LOCK prefix is not allowed on ADD with a register destination', 0x1000n],
    ['lock on a non-lockable instruction', 'f0488b07', '#UD', 'LOCK prefix is not allowed on MOV', 0x1000n],
    ['invalid bytes', '0f04', '#UD', 'bytes 0f 04 00 at 0x1000 are not a valid instruction in 64-bit code', 0x1000n],
    ['int3 is a trap: RIP after it', 'cc', '#BP', 'INT3: breakpoint', 0x1001n],
    ['cmpxchg16b misaligned', '480fc74f01', '#GP', 'CMPXCHG16B: operand at 8001 is not 16-byte aligned', 0x1000n],
    ['non-canonical address', '488b07', '#GP', 'address 0x800000000000 is not canonical', 0x1000n],
  ] as const)('%s', (_t, hex, name, reason, rip) => {
    const o = run(hex, { regs: _t === 'non-canonical address' ? { rdi: 0x800000000000n } : {} });
    expect(o.result.reason).toBe('fault');
    expect(o.result.fault?.name).toBe(name);
    expect(o.result.fault?.reason).toBe(reason);
    expect(o.reg('rip')).toBe(rip);
  });

  it.each([
    ['FLD1 with CR0.TS set', 'd9e8', 0x8000003an, '#NM', 'FLD1: CR0.TS is set (the FPU/SIMD state may belong to another task: #NM lets the kernel switch it in)'],
    ['FLD1 otherwise', 'd9e8', 0x80000032n, '#UD', 'FLD1 is not implemented by this CPU'],
    ['WAIT with CR0.TS and CR0.MP set', '9b', 0x8000003an, '#NM', 'WAIT: CR0.TS and CR0.MP are set (the FPU/SIMD state may belong to another task: #NM lets the kernel switch it in)'],
    ['ADDPS with CR0.EM set', '0f58c1', 0x80000036n, '#UD', 'ADDPS: CR0.EM is set (SSE instructions raise #UD)', OSFXSR],
    ['ADDPS with CR0.TS set', '0f58c1', 0x8000003an, '#NM', 'ADDPS: CR0.TS is set (the FPU/SIMD state may belong to another task: #NM lets the kernel switch it in)', OSFXSR],
    ['ADDPS with CR0.TS set but SSE not enabled', '0f58c1', 0x8000003an, '#UD', 'ADDPS: CR4.OSFXSR is clear (the OS has not enabled SSE)'],
  ] as const)('%s', (_t, hex, cr0, name, reason, cr4?: bigint) => {
    const o = run(hex, { regs: cr4 === undefined ? { cr0 } : { cr0, cr4 } });
    expect(o.result.fault?.name).toBe(name);
    expect(o.result.fault?.reason).toBe(reason);
  });

  it('WAIT without CR0.TS does nothing', () => {
    expect(run('9b').result.reason).toBe('breakpoint');
  });

  it('a load beyond physical memory is a bus error that says so', () => {
    const o = run('48a18967452301000000');
    expect(o.result.reason).toBe('fault');
    expect(o.result.message).toBe('bus-error: MOV: read of physical address 0x123456000 is beyond physical memory (size 0x100000)');
  });

  it('lock add to memory is accepted', () => {
    const o = run('f0480107', { regs: { rax: 2n }, data: '0100000000000000' });
    expect(o.data(0, 8)).toBe('0300000000000000');
  });

  it('a faulting push leaves RSP unchanged', () => {
    const o = run('50', { regs: { rsp: 0x800000000008n } });
    expect(o.result.fault?.name).toBe('#SS');
    expect(o.reg('rsp')).toBe(0x800000000008n);
  });
});

export { OF };
