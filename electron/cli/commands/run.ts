import { hex, describeStop } from '../../../exercises/engine/index.ts';
import { REGISTERS, type Mode } from '../../../exercises/engine/schema.ts';
import { intOption, parseCommandArgs } from '../../grading/args.ts';
import { enginePorts } from '../../grading/exercises.ts';
import { readSourceFile } from '../../grading/source-file.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type Command } from '../io.ts';

const CODE_BASE = 0x10000;
const STACK_TOP = 0x80000;
const RAM = 0x400000;

const command: Command = {
  summary: 'Assemble a file, run it on a flat ring-0 machine from its first byte, and print the final state.',
  usage: 'switchyard run FILE [--mode long64|protected32] [--bits 32|64] [--max N] [--json]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      mode: { type: 'string' }, bits: { type: 'string' }, max: { type: 'string' }, json: { type: 'boolean' },
    }, { min: 1, max: 1, names: 'FILE' });
    const mode = (values.mode ?? 'long64') as Mode;
    if (mode !== 'long64' && mode !== 'protected32') throw new UsageError(`--mode must be long64 or protected32, got '${values.mode}'`);
    const bits = intOption(values.bits, 'bits', 32, 64) ?? (mode === 'long64' ? 64 : 32);
    if (bits !== 32 && bits !== 64) throw new UsageError(`--bits must be 32 or 64, got ${bits}`);
    const max = intOption(values.max, 'max', 1, 1_000_000_000) ?? 1_000_000;
    const source = readSourceFile(positionals[0]);
    if (!source.ok) { io.stderr(`switchyard run: ${source.error}\n`); return EXIT_USAGE; }

    const ports = enginePorts();
    const asm = ports.assembler.assemble(source.text, { bits, symbols: {}, sectionBases: { '.text': CODE_BASE, '.data': CODE_BASE + 0x10000, '.bss': CODE_BASE + 0x18000 } });
    const diagnostics = asm.diagnostics;
    if (!asm.ok) {
      if (values.json) io.stdout(`${JSON.stringify({ ok: false, diagnostics }, null, 2)}\n`);
      else for (const d of diagnostics) io.stderr(`${positionals[0]}:${d.line}:${d.column}: ${d.severity}: ${d.message}\n`);
      return EXIT_FAILED;
    }
    const machine = ports.machines.create({ ramSize: RAM, mode, deliverExceptions: false });
    for (const s of asm.sections) machine.writeBytes(s.base, s.bytes);
    machine.setReg('rip', BigInt(CODE_BASE));
    machine.setReg('rsp', BigInt(STACK_TOP));
    const outcome = machine.run(max);
    const regs = Object.fromEntries(REGISTERS.map((r) => [r, hex(machine.getReg(r))]));
    const state = { ok: true, mode, stop: outcome.reason, instructions: outcome.instructions, cpl: machine.cpl(), regs, ...(outcome.fault ? { fault: outcome.fault } : {}), ...(outcome.message ? { message: outcome.message } : {}), diagnostics };
    if (values.json) io.stdout(`${JSON.stringify(state, null, 2)}\n`);
    else {
      io.stdout(`stopped: ${describeStop(outcome)} (cpl ${state.cpl}, ${mode})\n`);
      const width = bits === 64 ? 16 : 8;
      REGISTERS.forEach((r, i) => io.stdout(`${r.padStart(6)} ${machine.getReg(r).toString(16).padStart(width, '0')}${i % 3 === 2 ? '\n' : '  '}`));
      io.stdout('\n');
    }
    return EXIT_OK;
  },
};
export default command;
