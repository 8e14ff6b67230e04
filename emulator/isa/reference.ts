/** The instruction reference page (docs/instructions.md), written from the ISA table so it cannot drift from dispatch. */
import { INSTRUCTIONS, type Family, type InstructionFacts } from './table.ts';

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const flags = (letters: string): string => (letters ? letters.split('').join(' ') : '');

export function instructionReference(): string {
  const byFamily = new Map<Family, InstructionFacts[]>();
  for (const facts of INSTRUCTIONS) byFamily.set(facts.family, [...(byFamily.get(facts.family) ?? []), facts]);
  const lines = [
    '# Instructions the CPU implements',
    '',
    '<!-- Generated from emulator/isa/table.ts by `npx tsx build/scripts/instruction-reference.ts`; a test fails when it is out of date. -->',
    '',
    `${INSTRUCTIONS.length} mnemonics in ${byFamily.size} families. A family is the file under \`emulator/ops/\` that holds the`,
    'semantics; anything else decodes to a #UD that names the instruction. "Flags" are the status flags written,',
    '"undefined" those the SDM leaves undefined.',
    '',
    '| family | file | mnemonics |',
    '|---|---|---|',
    ...[...byFamily].map(([family, list]) => `| [${family}](#${family}) | \`emulator/ops/${family}.ts\` | ${list.length} |`),
  ];
  for (const [family, list] of byFamily) {
    lines.push('', `## ${family}`, '', '| mnemonic | what | flags | undefined | faults |', '|---|---|---|---|---|');
    for (const f of list) {
      const faults = [...f.faults, ...(f.lockable ? ['LOCK allowed with a memory destination'] : [])].join(', ');
      lines.push(`| ${f.mnemonic} | ${cell(f.summary)} | ${flags(f.flagsWritten)} | ${flags(f.flagsUndefined)} | ${cell(faults)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
