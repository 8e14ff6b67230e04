/**
 * Instruction facts as data: every mnemonic this CPU implements, its family, a one-line summary,
 * the status flags it writes and those the SDM leaves undefined, the faults it can raise, and
 * whether LOCK is allowed. Dispatch is registered from this table (a test checks that every
 * entry has a handler and every handler an entry); the editor's hover docs read it too.
 * Pure data: no imports.
 */
/** Where an instruction's semantics live: `family` is the file under emulator/ops/ that registers its handler. */
export type Family =
  | 'move'
  | 'stack'
  | 'alu'
  | 'muldiv'
  | 'shift'
  | 'bits'
  | 'control'
  | 'string'
  | 'flags'
  | 'misc'
  | 'iret'
  | 'fast-syscall'
  | 'descriptor-tables'
  | 'control-registers'
  | 'msr'
  | 'far'
  | 'sse'
  | 'x87'
  | 'xsave';

export interface InstructionFacts {
  mnemonic: string;
  family: Family;
  summary: string;
  /** Status flags written, as letters of OSZAPC (and D, I for the flag instructions). */
  flagsWritten: string;
  /** Flags the SDM leaves undefined after the instruction. */
  flagsUndefined: string;
  faults: string[];
  /** LOCK is accepted when the destination is memory. */
  lockable?: boolean;
}

const MEM = ['#GP(0)', '#SS(0)', '#PF(fault-code)'];
const SSE = ['#UD (CR0.EM set or CR4.OSFXSR clear)', '#NM (CR0.TS set)', ...MEM];
const SSE_ALIGNED = [...SSE, '#GP(0) (memory operand not 16-byte aligned)'];
const SSE_FP = [...SSE_ALIGNED, '#XM (unmasked SIMD floating-point exception, CR4.OSXMMEXCPT set)', '#UD (unmasked SIMD exception with CR4.OSXMMEXCPT clear)'];
const AVX = ['#UD (CR4.OSXSAVE clear or XCR0 lacks SSE/AVX state)', '#NM (CR0.TS set)', ...MEM];
const X87 = ['#NM (CR0.EM or CR0.TS set)', '#MF (pending unmasked x87 exception, CR0.NE set)', ...MEM];
const X87_CONTROL = ['#NM (CR0.EM or CR0.TS set)', ...MEM];
const XSAVE = ['#UD (CR4.OSXSAVE clear)', '#NM (CR0.TS set)', '#GP(0) (area not 64-byte aligned)', ...MEM];
const IRET_FAULTS = ['#GP(0)', '#GP(selector)', '#NP(selector)', '#SS(selector)', '#SS(0)', '#PF(fault-code)'];
const CC_NAMES = ['O', 'NO', 'B', 'AE', 'E', 'NE', 'BE', 'A', 'S', 'NS', 'P', 'NP', 'L', 'GE', 'LE', 'G'];
const CC_TEXT = ['overflow', 'no overflow', 'below (CF=1)', 'above or equal (CF=0)', 'equal (ZF=1)', 'not equal (ZF=0)', 'below or equal (CF=1 or ZF=1)', 'above (CF=0 and ZF=0)', 'sign (SF=1)', 'no sign (SF=0)', 'parity even (PF=1)', 'parity odd (PF=0)', 'less (SF!=OF)', 'greater or equal (SF=OF)', 'less or equal (ZF=1 or SF!=OF)', 'greater (ZF=0 and SF=OF)'];

function e(mnemonic: string, family: Family, summary: string, flagsWritten = '', flagsUndefined = '', faults: string[] = MEM, lockable = false): InstructionFacts {
  return lockable ? { mnemonic, family, summary, flagsWritten, flagsUndefined, faults, lockable } : { mnemonic, family, summary, flagsWritten, flagsUndefined, faults };
}

const strings: InstructionFacts[] = [];
for (const [base, what, flags] of [
  ['MOVS', 'copy the element at [rSI] to [rDI]', ''],
  ['STOS', 'store the accumulator at [rDI]', ''],
  ['LODS', 'load the accumulator from [rSI]', ''],
  ['CMPS', 'compare [rSI] with [rDI] and set flags', 'OSZAPC'],
  ['SCAS', 'compare the accumulator with [rDI] and set flags', 'OSZAPC'],
] as const) {
  for (const [suffix, width] of [['B', 'byte'], ['W', 'word'], ['D', 'doubleword'], ['Q', 'quadword']]) {
    const summary = `${what[0].toUpperCase()}${what.slice(1)} (${width}), then step rSI/rDI by DF; REP prefixes repeat it rCX times.`;
    // Intel names two instructions MOVSD (and CMPSD): the string one and SSE2's scalar double, one entry for both.
    if (base + suffix === 'MOVSD') strings.push(e('MOVSD', 'string', `String form (AT&T movsl): ${summary[0].toLowerCase()}${summary.slice(1)} SSE2 form (an XMM operand): move the low double; register to register merges, a load clears bits 127:64.`, '', '', SSE));
    else strings.push(e(base + suffix, 'string', summary, flags));
  }
}

for (const [suffix, width] of [['B', 'byte'], ['W', 'word'], ['D', 'doubleword']]) {
  const io = ['#GP(0) (I/O permission: CPL > IOPL and the TSS I/O bitmap denies the port)', ...MEM];
  strings.push(e(`INS${suffix}`, 'string', `Read a ${width} from port DX into [rDI], then step rDI by DF; REP repeats it rCX times.`, '', '', io));
  strings.push(e(`OUTS${suffix}`, 'string', `Write the ${width} at [rSI] to port DX, then step rSI by DF; REP repeats it rCX times.`, '', '', io));
}

export const INSTRUCTIONS: readonly InstructionFacts[] = [
  // Data movement
  e('MOV', 'move', 'Copy the source to the destination (registers, memory, immediates, moffs, segment, control and debug registers).', '', '', [...MEM, '#UD (MOV to CS)', '#GP(selector)', '#NP(selector)', '#GP(0) (MOV CRn/DRn at CPL > 0, invalid CRn value)']),
  e('MOVZX', 'move', 'Copy a byte or word, zero-extended.'),
  e('MOVSX', 'move', 'Copy a byte or word, sign-extended.'),
  e('MOVSXD', 'move', 'Copy a doubleword, sign-extended to 64 bits.'),
  ...CC_NAMES.map((c, k) => e(`CMOV${c}`, 'move', `Move if ${CC_TEXT[k]}; the source is read either way and a 32-bit destination is zero-extended either way.`)),
  e('XCHG', 'move', 'Exchange two operands (implicitly locked with a memory operand).', '', '', MEM, true),
  e('XADD', 'move', 'Exchange, then store the sum in the destination.', 'OSZAPC', '', MEM, true),
  e('CMPXCHG', 'move', 'Compare the accumulator with the destination: equal stores the source, else loads the destination into the accumulator.', 'OSZAPC', '', MEM, true),
  e('CMPXCHG8B', 'move', 'Compare EDX:EAX with m64: equal stores ECX:EBX, else loads m64 into EDX:EAX.', 'Z', '', [...MEM, '#UD (register operand)'], true),
  e('CMPXCHG16B', 'move', 'Compare RDX:RAX with m128: equal stores RCX:RBX, else loads m128 into RDX:RAX.', 'Z', '', [...MEM, '#GP(0) (not 16-byte aligned)', '#UD (register operand)'], true),
  e('BSWAP', 'move', 'Reverse the byte order of a register.', '', '', []),
  e('LEA', 'move', 'Load the effective address of a memory operand (no memory access).', '', '', ['#UD (register source)']),
  e('MOVBE', 'move', 'Load or store with the byte order reversed.'),
  // Stack
  e('PUSH', 'stack', 'Decrement rSP by the operand size and store the operand there.'),
  e('POP', 'stack', 'Load the operand from [rSP] and increment rSP.', '', '', [...MEM, '#GP(selector)', '#NP(selector)']),
  e('PUSHF', 'stack', 'Push FLAGS (16 bits).'),
  e('PUSHFD', 'stack', 'Push EFLAGS with VM and RF cleared.'),
  e('PUSHFQ', 'stack', 'Push RFLAGS with VM and RF cleared.'),
  e('POPF', 'stack', 'Pop FLAGS (16 bits); IOPL only at CPL 0, IF only when CPL <= IOPL.', 'OSZAPCDI'),
  e('POPFD', 'stack', 'Pop EFLAGS; IOPL only at CPL 0, IF only when CPL <= IOPL.', 'OSZAPCDI'),
  e('POPFQ', 'stack', 'Pop RFLAGS; IOPL only at CPL 0, IF only when CPL <= IOPL.', 'OSZAPCDI'),
  e('PUSHA', 'stack', 'Push AX, CX, DX, BX, original SP, BP, SI, DI (not in 64-bit mode).'),
  e('PUSHAD', 'stack', 'Push EAX, ECX, EDX, EBX, original ESP, EBP, ESI, EDI (not in 64-bit mode).'),
  e('POPA', 'stack', 'Pop DI, SI, BP, (skip SP), BX, DX, CX, AX (not in 64-bit mode).'),
  e('POPAD', 'stack', 'Pop EDI, ESI, EBP, (skip ESP), EBX, EDX, ECX, EAX (not in 64-bit mode).'),
  e('ENTER', 'stack', 'Make a stack frame: push rBP, copy nesting-level frame pointers, reserve imm16 bytes.'),
  e('LEAVE', 'stack', 'Release a stack frame: rSP = rBP, then pop rBP.'),
  // Arithmetic and logic
  e('ADD', 'alu', 'Add the source to the destination.', 'OSZAPC', '', MEM, true),
  e('ADC', 'alu', 'Add the source and CF to the destination.', 'OSZAPC', '', MEM, true),
  e('SUB', 'alu', 'Subtract the source from the destination.', 'OSZAPC', '', MEM, true),
  e('SBB', 'alu', 'Subtract the source and CF from the destination.', 'OSZAPC', '', MEM, true),
  e('CMP', 'alu', 'Subtract the source from the destination for the flags only.', 'OSZAPC'),
  e('INC', 'alu', 'Add 1 (CF unchanged).', 'OSZAP', '', MEM, true),
  e('DEC', 'alu', 'Subtract 1 (CF unchanged).', 'OSZAP', '', MEM, true),
  e('NEG', 'alu', "Two's complement negation; CF is set unless the operand was 0.", 'OSZAPC', '', MEM, true),
  e('AND', 'alu', 'Bitwise AND; OF and CF cleared.', 'OSZAPC', 'A', MEM, true),
  e('OR', 'alu', 'Bitwise OR; OF and CF cleared.', 'OSZAPC', 'A', MEM, true),
  e('XOR', 'alu', 'Bitwise exclusive OR; OF and CF cleared.', 'OSZAPC', 'A', MEM, true),
  e('NOT', 'alu', "One's complement (no flags).", '', '', MEM, true),
  e('TEST', 'alu', 'Bitwise AND for the flags only.', 'OSZAPC', 'A'),
  // Multiply and divide
  e('MUL', 'muldiv', 'Unsigned multiply of the accumulator; the high half goes to rDX (AH for bytes).', 'OC', 'SZAP'),
  e('IMUL', 'muldiv', 'Signed multiply (one, two or three operands); CF=OF=1 when the result was truncated.', 'OC', 'SZAP'),
  e('DIV', 'muldiv', 'Unsigned divide rDX:rAX by the operand: quotient in rAX, remainder in rDX.', '', 'OSZAPC', [...MEM, '#DE (zero divisor or quotient too large)']),
  e('IDIV', 'muldiv', 'Signed divide rDX:rAX by the operand: quotient in rAX, remainder in rDX.', '', 'OSZAPC', [...MEM, '#DE (zero divisor or quotient too large)']),
  // Shifts and rotates
  e('SHL', 'shift', 'Shift left; CF gets the last bit out. Count masked to 5 (6) bits; 0 leaves the flags.', 'OSZAPC', 'OA'),
  e('SAL', 'shift', 'Same as SHL.', 'OSZAPC', 'OA'),
  e('SHR', 'shift', 'Logical shift right; CF gets the last bit out.', 'OSZAPC', 'OA'),
  e('SAR', 'shift', 'Arithmetic shift right (sign-filling); CF gets the last bit out.', 'OSZAPC', 'OA'),
  e('ROL', 'shift', 'Rotate left; CF gets the bit rotated into bit 0.', 'OC', 'O'),
  e('ROR', 'shift', 'Rotate right; CF gets the bit rotated into the top.', 'OC', 'O'),
  e('RCL', 'shift', 'Rotate left through CF.', 'OC', 'O'),
  e('RCR', 'shift', 'Rotate right through CF.', 'OC', 'O'),
  e('SHLD', 'shift', 'Shift left, filling from a second register.', 'OSZAPC', 'OA'),
  e('SHRD', 'shift', 'Shift right, filling from a second register.', 'OSZAPC', 'OA'),
  // Bits
  e('BT', 'bits', 'Copy the selected bit to CF.', 'C', 'OSAP'),
  e('BTS', 'bits', 'Copy the selected bit to CF and set it.', 'C', 'OSAP', MEM, true),
  e('BTR', 'bits', 'Copy the selected bit to CF and clear it.', 'C', 'OSAP', MEM, true),
  e('BTC', 'bits', 'Copy the selected bit to CF and complement it.', 'C', 'OSAP', MEM, true),
  e('BSF', 'bits', 'Index of the lowest set bit; ZF=1 and the destination unchanged when the source is 0.', 'Z', 'OSAPC'),
  e('BSR', 'bits', 'Index of the highest set bit; ZF=1 and the destination unchanged when the source is 0.', 'Z', 'OSAPC'),
  e('TZCNT', 'bits', 'Count trailing zero bits; CF=1 when the source is 0.', 'ZC', 'OSAP'),
  e('LZCNT', 'bits', 'Count leading zero bits; CF=1 when the source is 0.', 'ZC', 'OSAP'),
  e('POPCNT', 'bits', 'Count set bits; ZF=1 when the source is 0, other flags cleared.', 'OSZAPC'),
  // Control transfer
  e('JMP', 'control', 'Jump (relative, indirect, or far).', '', '', ['#GP(0) (non-canonical target or beyond CS limit)', ...MEM]),
  ...CC_NAMES.map((c, k) => e(`J${c}`, 'control', `Jump if ${CC_TEXT[k]}.`, '', '', ['#GP(0) (non-canonical target)'])),
  e('CALL', 'control', 'Push the return address and jump (relative, indirect, or far).', '', '', ['#GP(0) (non-canonical target)', ...MEM]),
  e('RET', 'control', 'Pop the return address (then release imm16 bytes).', '', '', ['#GP(0) (non-canonical return address)', '#SS(0)', '#PF(fault-code)']),
  e('LOOP', 'control', 'Decrement rCX (flags unchanged); jump if it is not 0.', '', '', ['#GP(0)']),
  e('LOOPE', 'control', 'Decrement rCX; jump if it is not 0 and ZF=1.', '', '', ['#GP(0)']),
  e('LOOPNE', 'control', 'Decrement rCX; jump if it is not 0 and ZF=0.', '', '', ['#GP(0)']),
  e('JCXZ', 'control', 'Jump if CX is 0.', '', '', ['#GP(0)']),
  e('JECXZ', 'control', 'Jump if ECX is 0.', '', '', ['#GP(0)']),
  e('JRCXZ', 'control', 'Jump if RCX is 0.', '', '', ['#GP(0)']),
  // Strings
  ...strings,
  // Flags
  e('CLC', 'flags', 'Clear CF.', 'C', '', []),
  e('STC', 'flags', 'Set CF.', 'C', '', []),
  e('CMC', 'flags', 'Complement CF.', 'C', '', []),
  e('CLD', 'flags', 'Clear DF (strings go up).', 'D', '', []),
  e('STD', 'flags', 'Set DF (strings go down).', 'D', '', []),
  e('CLI', 'flags', 'Clear IF (needs CPL <= IOPL).', 'I', '', ['#GP(0)']),
  e('STI', 'flags', 'Set IF (needs CPL <= IOPL).', 'I', '', ['#GP(0)']),
  e('STAC', 'flags', 'Set RFLAGS.AC: ring-0 code may touch user pages while CR4.SMAP is on.', '', '', ['#UD (CPL > 0)']),
  e('CLAC', 'flags', 'Clear RFLAGS.AC: close the SMAP window again.', '', '', ['#UD (CPL > 0)']),
  e('LAHF', 'flags', 'AH = SF:ZF:0:AF:0:PF:1:CF.', '', '', []),
  e('SAHF', 'flags', 'Load SF, ZF, AF, PF, CF from AH.', 'SZAPC', '', []),
  ...CC_NAMES.map((c, k) => e(`SET${c}`, 'flags', `Store 1 in a byte if ${CC_TEXT[k]}, else 0.`)),
  // Miscellaneous
  e('CBW', 'misc', 'Sign-extend AL into AX.', '', '', []),
  e('CWDE', 'misc', 'Sign-extend AX into EAX.', '', '', []),
  e('CDQE', 'misc', 'Sign-extend EAX into RAX.', '', '', []),
  e('CWD', 'misc', 'Sign-extend AX into DX:AX.', '', '', []),
  e('CDQ', 'misc', 'Sign-extend EAX into EDX:EAX.', '', '', []),
  e('CQO', 'misc', 'Sign-extend RAX into RDX:RAX.', '', '', []),
  e('NOP', 'misc', 'Do nothing (one-byte and multi-byte forms; the operand is not accessed).', '', '', []),
  e('PAUSE', 'misc', 'Spin-loop hint; does nothing here.', '', '', []),
  e('WAIT', 'misc', 'Wait for pending x87 exceptions: #NM when CR0.TS and CR0.MP are set, then #MF for a pending unmasked x87 exception (CR0.NE set).', '', '', ['#NM', '#MF']),
  e('ENDBR64', 'misc', 'Indirect-branch target marker (CET is off): a NOP.', '', '', []),
  e('ENDBR32', 'misc', 'Indirect-branch target marker (CET is off): a NOP.', '', '', []),
  e('RESERVEDNOP', 'misc', 'A reserved NOP encoding (0F 18-1F): does nothing.', '', '', []),
  e('PREFETCHNTA', 'misc', 'Prefetch hint: no architectural effect, never faults.', '', '', []),
  e('PREFETCHT0', 'misc', 'Prefetch hint: no architectural effect, never faults.', '', '', []),
  e('PREFETCHT1', 'misc', 'Prefetch hint: no architectural effect, never faults.', '', '', []),
  e('PREFETCHT2', 'misc', 'Prefetch hint: no architectural effect, never faults.', '', '', []),
  e('PREFETCHW', 'misc', 'Prefetch hint: no architectural effect, never faults.', '', '', []),
  e('LFENCE', 'misc', 'Load fence: one CPU, in order: nothing to do.', '', '', []),
  e('MFENCE', 'misc', 'Memory fence: one CPU, in order: nothing to do.', '', '', []),
  e('SFENCE', 'misc', 'Store fence: one CPU, in order: nothing to do.', '', '', []),
  e('CLFLUSH', 'misc', 'Flush a cache line: no caches here, but the address is checked.', '', '', ['#GP(0)', '#SS(0)']),
  e('UD2', 'misc', 'Raise #UD on purpose.', '', '', ['#UD']),
  e('INT3', 'misc', 'Breakpoint trap (#BP).', '', '', ['#BP']),
  e('INT1', 'misc', 'ICEBP: debug trap (#DB) delivered like a hardware event (no gate DPL check).', '', '', ['#DB']),
  e('INT', 'misc', 'Software interrupt through IDT vector imm8.', '', '', ['#GP(vector*8+2)', '#NP', '#SS']),
  e('INTO', 'misc', 'Raise #OF if OF=1 (not in 64-bit mode).', '', '', ['#OF']),
  e('HLT', 'misc', 'Halt: the run stops with RIP after HLT (needs CPL 0).', '', '', ['#GP(0)']),
  e('CPUID', 'misc', 'Report the fixed processor model (see docs/emulator.md).', '', '', []),
  e('RDTSC', 'misc', 'EDX:EAX = time-stamp counter (the retired-instruction count: deterministic).', '', '', ['#GP(0) (CR4.TSD at CPL>0)']),
  e('RDTSCP', 'misc', 'RDTSC, and ECX = IA32_TSC_AUX.', '', '', ['#GP(0) (CR4.TSD at CPL>0)']),
  // System
  e('IRET', 'iret', 'Return from an interrupt with a 16-bit frame (IP, CS, FLAGS[, SP, SS]).', 'OSZAPCDI', '', IRET_FAULTS),
  e('IRETD', 'iret', 'Return from an interrupt with a 32-bit frame (EIP, CS, EFLAGS[, ESP, SS]).', 'OSZAPCDI', '', IRET_FAULTS),
  e('IRETQ', 'iret', 'Return from an interrupt with a 64-bit frame (RIP, CS, RFLAGS, RSP, SS).', 'OSZAPCDI', '', IRET_FAULTS),
  e('SYSCALL', 'fast-syscall', 'Fast call to ring 0: RCX = RIP, R11 = RFLAGS, CS/SS from STAR, RIP = LSTAR, RFLAGS &= ~SFMASK.', 'OSZAPCDI', '', ['#UD (not 64-bit mode or EFER.SCE clear)']),
  e('SYSRET', 'fast-syscall', 'Fast return to ring 3: RIP = RCX (ECX), RFLAGS = R11, CS/SS from STAR.', 'OSZAPCDI', '', ['#UD', '#GP(0) (CPL > 0, or non-canonical RCX: raised in ring 0)']),
  e('SYSRETQ', 'fast-syscall', 'SYSRET to 64-bit code (REX.W form).', 'OSZAPCDI', '', ['#UD', '#GP(0) (CPL > 0, or non-canonical RCX: raised in ring 0)']),
  e('SYSENTER', 'fast-syscall', 'Fast call to ring 0: CS/SS from IA32_SYSENTER_CS, RSP/RIP from IA32_SYSENTER_ESP/EIP; IF cleared.', 'I', '', ['#GP(0) (IA32_SYSENTER_CS null)']),
  e('SYSEXIT', 'fast-syscall', 'Fast return to ring 3: CS = SYSENTER_CS+16, SS = +24, ESP = ECX, EIP = EDX.', '', '', ['#GP(0) (CPL > 0 or IA32_SYSENTER_CS null)']),
  e('SYSEXITQ', 'fast-syscall', 'SYSEXIT to 64-bit code: CS = SYSENTER_CS+32, SS = +40, RSP = RCX, RIP = RDX.', '', '', ['#GP(0) (CPL > 0, null IA32_SYSENTER_CS, non-canonical RCX/RDX)']),
  e('SWAPGS', 'fast-syscall', 'Exchange GS.base with IA32_KERNEL_GS_BASE.', '', '', ['#UD (not 64-bit mode)', '#GP(0) (CPL > 0)']),
  e('LGDT', 'descriptor-tables', 'Load GDTR from a limit and base in memory.', '', '', [...MEM, '#GP(0) (CPL > 0)']),
  e('LIDT', 'descriptor-tables', 'Load IDTR from a limit and base in memory.', '', '', [...MEM, '#GP(0) (CPL > 0)']),
  e('SGDT', 'descriptor-tables', 'Store GDTR (limit and base).'),
  e('SIDT', 'descriptor-tables', 'Store IDTR (limit and base).'),
  e('LLDT', 'descriptor-tables', 'Load LDTR from an LDT descriptor in the GDT.', '', '', ['#GP(selector)', '#NP(selector)', '#GP(0) (CPL > 0)']),
  e('LTR', 'descriptor-tables', 'Load TR from an available TSS descriptor and mark it busy.', '', '', ['#GP(selector)', '#NP(selector)', '#GP(0) (CPL > 0)']),
  e('SLDT', 'descriptor-tables', 'Store the LDTR selector.'),
  e('STR', 'descriptor-tables', 'Store the TR selector.'),
  e('RDMSR', 'msr', 'EDX:EAX = MSR[ECX].', '', '', ['#GP(0) (CPL > 0 or unknown MSR)']),
  e('WRMSR', 'msr', 'MSR[ECX] = EDX:EAX.', '', '', ['#GP(0) (CPL > 0, unknown MSR, reserved bits, non-canonical address)']),
  e('RDFSBASE', 'msr', 'Read FS.base (needs CR4.FSGSBASE).', '', '', ['#UD']),
  e('RDGSBASE', 'msr', 'Read GS.base (needs CR4.FSGSBASE).', '', '', ['#UD']),
  e('WRFSBASE', 'msr', 'Write FS.base (needs CR4.FSGSBASE).', '', '', ['#UD', '#GP(0) (non-canonical)']),
  e('WRGSBASE', 'msr', 'Write GS.base (needs CR4.FSGSBASE).', '', '', ['#UD', '#GP(0) (non-canonical)']),
  e('INVLPG', 'control-registers', 'Invalidate the TLB entries for the page holding the address (this CPU drops its 4 MiB region).', '', '', ['#GP(0) (CPL > 0)']),
  e('CLTS', 'control-registers', 'Clear CR0.TS.', '', '', ['#GP(0) (CPL > 0)']),
  e('WBINVD', 'control-registers', 'Write back and invalidate caches (nothing to do here).', '', '', ['#GP(0) (CPL > 0)']),
  e('INVD', 'control-registers', 'Invalidate caches (nothing to do here).', '', '', ['#GP(0) (CPL > 0)']),
  e('SMSW', 'control-registers', 'Store the low word of CR0.'),
  e('LMSW', 'control-registers', 'Load CR0 bits 0-3 (PE cannot be cleared).', '', '', ['#GP(0) (CPL > 0)']),
  e('RETF', 'far', 'Far return: pop RIP and CS (and RSP, SS when returning to an outer privilege level), then release imm16 bytes.', '', '', ['#GP(0)', '#GP(selector)', '#NP(selector)', '#SS(selector)', '#SS(0)', '#PF(fault-code)']),
  e('LDS', 'far', 'Load DS and a register from a far pointer in memory (not in 64-bit mode).', '', '', [...MEM, '#GP(selector)', '#NP(selector)']),
  e('LES', 'far', 'Load ES and a register from a far pointer in memory (not in 64-bit mode).', '', '', [...MEM, '#GP(selector)', '#NP(selector)']),
  e('LFS', 'far', 'Load FS and a register from a far pointer in memory.', '', '', [...MEM, '#GP(selector)', '#NP(selector)']),
  e('LGS', 'far', 'Load GS and a register from a far pointer in memory.', '', '', [...MEM, '#GP(selector)', '#NP(selector)']),
  e('LSS', 'far', 'Load SS and a register from a far pointer in memory.', '', '', [...MEM, '#GP(selector)', '#SS(selector)']),
  e('IN', 'misc', 'Read an I/O port (CPL <= IOPL, or the TSS I/O bitmap allows it); port 0xE9 reads 0xE9, others all ones.', '', '', ['#GP(0)']),
  e('OUT', 'misc', 'Write an I/O port (CPL <= IOPL, or the TSS I/O bitmap allows it); bytes written to port 0xE9 go to the debug console.', '', '', ['#GP(0)']),
  e('LAR', 'far', "Load a descriptor's access rights if it is visible at CPL and RPL (ZF=1), else ZF=0.", 'Z', '', MEM),
  e('LSL', 'far', "Load a descriptor's limit in bytes if it is visible at CPL and RPL (ZF=1), else ZF=0.", 'Z', '', MEM),
  e('VERR', 'far', 'ZF=1 if the segment is readable at CPL and RPL.', 'Z', '', MEM),
  e('VERW', 'far', 'ZF=1 if the segment is writable at CPL and RPL.', 'Z', '', MEM),
  // SSE and AVX moves and arithmetic
  e('MOVAPS', 'sse', 'Move 128 bits of packed singles between XMM registers and 16-byte aligned memory.', '', '', SSE_ALIGNED),
  e('MOVUPS', 'sse', 'Move 128 bits of packed singles (no alignment needed).', '', '', SSE),
  e('MOVDQA', 'sse', 'Move 128 bits of integers between XMM registers and 16-byte aligned memory.', '', '', SSE_ALIGNED),
  e('MOVDQU', 'sse', 'Move 128 bits of integers (no alignment needed).', '', '', SSE),
  e('MOVQ', 'sse', 'Move 64 bits between XMM registers, memory and 64-bit GPRs; an XMM destination gets bits 127:64 cleared.', '', '', SSE),
  e('MOVD', 'sse', 'Move 32 bits between an XMM register and a GPR or memory; an XMM destination gets bits 127:32 cleared.', '', '', SSE),
  e('MOVSS', 'sse', 'Move the low single: register to register merges, a load clears bits 127:32.', '', '', SSE),
  e('PXOR', 'sse', 'Bitwise XOR of 128 bits (PXOR xmm, xmm with itself zeroes it).', '', '', SSE_ALIGNED),
  e('XORPS', 'sse', 'Bitwise XOR of 128 bits of packed singles.', '', '', SSE_ALIGNED),
  e('PADDB', 'sse', 'Add packed bytes, wrapping.', '', '', SSE_ALIGNED),
  e('PADDW', 'sse', 'Add packed words, wrapping.', '', '', SSE_ALIGNED),
  e('PADDD', 'sse', 'Add packed doublewords, wrapping.', '', '', SSE_ALIGNED),
  e('PADDQ', 'sse', 'Add packed quadwords, wrapping.', '', '', SSE_ALIGNED),
  e('ADDPS', 'sse', 'Add four packed singles under MXCSR (rounding, DAZ, FTZ, exception flags and masks).', '', '', SSE_FP),
  e('ADDSD', 'sse', 'Add the low doubles under MXCSR; bits 127:64 of the destination are kept.', '', '', [...SSE, '#XM (unmasked SIMD floating-point exception)']),
  e('LDMXCSR', 'sse', 'Load MXCSR from m32.', '', '', [...SSE, '#GP(0) (reserved MXCSR bits set)']),
  e('STMXCSR', 'sse', 'Store MXCSR to m32.', '', '', SSE),
  e('VMOVDQU', 'sse', 'VEX move of 128 or 256 bits of integers (no alignment needed); a 128-bit register destination clears bits 255:128.', '', '', AVX),
  e('VMOVAPS', 'sse', 'VEX move of 128 or 256 bits of packed singles; memory must be aligned to the operand size.', '', '', [...AVX, '#GP(0) (memory operand not aligned to its size)']),
  // x87
  e('FLD', 'x87', 'Push a single, double or extended real from memory, or a copy of ST(i), onto the x87 stack.', '', '', X87),
  e('FST', 'x87', 'Store ST(0) to memory (rounded by FCW.RC) or to ST(i).', '', '', X87),
  e('FSTP', 'x87', 'Store ST(0) like FST, then pop the x87 stack.', '', '', X87),
  e('FNINIT', 'x87', 'Initialise the x87 FPU without waiting: FCW = 037FH, FSW = 0, all registers empty (FINIT is WAIT; FNINIT).', '', '', ['#NM (CR0.EM or CR0.TS set)']),
  e('FNSTCW', 'x87', 'Store the x87 control word without waiting.', '', '', X87_CONTROL),
  e('FLDCW', 'x87', 'Load the x87 control word; a pending flag it unmasks raises #MF at the next waiting instruction.', '', '', X87_CONTROL),
  e('FNSTSW', 'x87', 'Store the x87 status word to AX or m16 without waiting.', '', '', X87_CONTROL),
  // State save and restore
  e('FXSAVE', 'xsave', 'Save x87, MXCSR and XMM state to a 512-byte area (32-bit FIP/FDP form).', '', '', ['#NM (CR0.EM or CR0.TS set)', '#GP(0) (area not 16-byte aligned)', ...MEM]),
  e('FXSAVE64', 'xsave', 'FXSAVE with REX.W: 64-bit FIP and FDP.', '', '', ['#NM (CR0.EM or CR0.TS set)', '#GP(0) (area not 16-byte aligned)', ...MEM]),
  e('FXRSTOR', 'xsave', 'Restore x87, MXCSR and XMM state from a 512-byte area.', '', '', ['#NM (CR0.EM or CR0.TS set)', '#GP(0) (area not 16-byte aligned or reserved MXCSR bits set)', ...MEM]),
  e('FXRSTOR64', 'xsave', 'FXRSTOR with REX.W: 64-bit FIP and FDP.', '', '', ['#NM (CR0.EM or CR0.TS set)', '#GP(0) (area not 16-byte aligned or reserved MXCSR bits set)', ...MEM]),
  e('XSAVE', 'xsave', 'Save the state components in EDX:EAX AND XCR0 (standard form); XSTATE_BV records which were in use.', '', '', XSAVE),
  e('XSAVE64', 'xsave', 'XSAVE with REX.W: 64-bit FIP and FDP.', '', '', XSAVE),
  e('XSAVEOPT', 'xsave', 'XSAVE that skips components in their initial configuration (XINUSE clear).', '', '', XSAVE),
  e('XSAVEOPT64', 'xsave', 'XSAVEOPT with REX.W.', '', '', XSAVE),
  e('XSAVEC', 'xsave', 'Save in the compacted form: XCOMP_BV = RFBM | bit 63, components in their initial configuration skipped.', '', '', XSAVE),
  e('XSAVEC64', 'xsave', 'XSAVEC with REX.W.', '', '', XSAVE),
  e('XRSTOR', 'xsave', 'Restore the requested components (standard or compacted form); components with XSTATE_BV clear are initialised.', '', '', [...XSAVE, '#GP(0) (invalid XSAVE header or reserved MXCSR bits)']),
  e('XRSTOR64', 'xsave', 'XRSTOR with REX.W.', '', '', [...XSAVE, '#GP(0) (invalid XSAVE header or reserved MXCSR bits)']),
  e('XGETBV', 'xsave', 'EDX:EAX = XCR[ECX] (ECX = 1: XINUSE AND XCR0).', '', '', ['#UD (CR4.OSXSAVE clear)', '#GP(0) (ECX not 0 or 1)']),
  e('XSETBV', 'xsave', 'XCR0 = EDX:EAX (ring 0; x87 must stay on, AVX needs SSE, only implemented components).', '', '', ['#UD (CR4.OSXSAVE clear)', '#GP(0) (CPL > 0, ECX not 0, invalid XCR0 value)']),
  e('ARPL', 'misc', "Raise a selector's RPL to another's (32-bit code); ZF=1 when it changed.", 'Z', '', MEM),
];
