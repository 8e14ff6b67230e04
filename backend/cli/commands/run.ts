import { hex, describeStop, parseSeed, traceCase } from '../../../exercises/engine/index.ts';
import { REGISTERS, type Mode } from '../../../exercises/engine/schema.ts';
import { intOption, parseCommandArgs } from '../../grading/args.ts';
import { reportingInputErrors } from '../../grading/cli-errors.ts';
import { enginePorts, findExercise, preparedExercise } from '../../grading/exercises.ts';
import { bundledPackDir, readPack } from '../../grading/pack-dir.ts';
import { readSourceFile } from '../../grading/source-file.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type Command } from '../io.ts';

const CODE_BASE = 0x10000;
const STACK_TOP = 0x80000;
const RAM = 0x400000;

const command: Command = {
  summary: 'Assemble a file, run it on a flat ring-0 machine from its first byte (or as one case of an exercise), and print the final state.',
  usage: 'switchyard run FILE [--mode long64|protected32] [--bits 32|64] [--max N] [--json]\n       switchyard run FILE --exercise ID [--case N] [--seed N] [--pack DIR] [--json]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      mode: { type: 'string' }, bits: { type: 'string' }, max: { type: 'string' }, json: { type: 'boolean' },
      exercise: { type: 'string' }, case: { type: 'string' }, seed: { type: 'string' }, pack: { type: 'string' },
    }, { min: 1, max: 1, names: 'FILE' });
    if (values.exercise !== undefined) {
      if (values.mode !== undefined || values.bits !== undefined || values.max !== undefined) throw new UsageError('--exercise sets the machine, the width and the budget: leave out --mode, --bits and --max');
      const index = intOption(values.case, 'case', 0, 1_000_000) ?? 0;
      const seed = values.seed === undefined ? undefined : parseSeed(values.seed);
      if (values.seed !== undefined && seed === undefined) throw new UsageError(`--seed expects a number (decimal or 0x-hex), got '${values.seed}'`);
      return reportingInputErrors('run', io, () => {
        const pack = readPack(values.pack ?? bundledPackDir());
        const exercise = findExercise(pack, values.exercise!);
        if (!exercise) { io.stderr(`switchyard run: no exercise '${values.exercise}'; known: ${pack.exercises.map((e) => e.id).join(', ')}\n`); return EXIT_USAGE; }
        const source = readSourceFile(positionals[0]);
        if (!source.ok) { io.stderr(`switchyard run: ${source.error}\n`); return EXIT_USAGE; }
        const report = traceCase(preparedExercise(exercise), source.text, enginePorts(), { seed, index });
        if (values.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        else {
          for (const d of report.diagnostics) io.stderr(`${positionals[0]}:${d.line}:${d.column}: ${d.severity}: ${d.message}\n`);
          io.stdout(`${exercise.id}, case #${report.index} (seed ${report.seed}): ${report.stop}\n`);
          io.stdout(`inputs: ${Object.entries(report.inputs).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)'}\n`);
          if (report.registers) {
            io.stdout(`${'register'.padEnd(10)}${'at the start'.padEnd(20)}at the end\n`);
            for (const [r, v] of Object.entries(report.registers)) io.stdout(`${r.padEnd(10)}${report.initial![r].padEnd(20)}${v}\n`);
          }
          for (const [region, fields] of Object.entries(report.structs ?? {})) {
            io.stdout(`${region}:\n`);
            for (const [field, { offset, value }] of Object.entries(fields)) io.stdout(`  ${field.padEnd(10)} +${offset.padEnd(6)} ${value}\n`);
          }
        }
        return report.ok ? EXIT_OK : EXIT_FAILED;
      });
    }
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
