// Differential conformance against GNU as: every corpus line assembled by us must give the bytes GNU
// as gives (byte-identical), or at least decode to the same instruction (semantically identical).
// Uses live `as` where installed (and checks the committed fixtures are current), else the fixtures.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Decoder, DecoderOptions, Formatter, FormatterSyntax } from 'iced-x86';
import { assemble } from '../../../emulator/asm/index.ts';
import { includeReaderWithin } from '../../../backend/grading/source-file.ts';
import { gasAvailable, isPreprocessed, parseHeader, recordWithGas, sha256, type Fixture } from './gas-oracle.ts';

const here = dirname(fileURLToPath(import.meta.url));
const corpusDir = join(here, 'corpus');
const fixtureDir = join(here, '..', '..', 'fixtures', 'gas');
const live = gasAvailable() && process.env.SWITCHYARD_GAS_FIXTURES_ONLY !== '1';

function disassemble(hex: string, bits: number, ip: bigint): string {
  const bytes = Uint8Array.from(Buffer.from(hex, 'hex'));
  const decoder = new Decoder(bits, bytes, DecoderOptions.None);
  const formatter = new Formatter(FormatterSyntax.Gas);
  decoder.ip = ip;
  const out: string[] = [];
  try {
    while (decoder.canDecode) {
      const ins = decoder.decode();
      out.push(formatter.format(ins));
      ins.free();
    }
  } finally {
    decoder.free();
    formatter.free();
  }
  return out.join('; ');
}

interface Tally {
  identical: number;
  semantic: number;
  different: number;
  bothRejected: number;
  details: string[];
}

function compareLine(t: Tally, where: string, expected: string, actual: string, bits: number, ip: bigint): void {
  if (expected === actual) {
    t.identical++;
    return;
  }
  const e = disassemble(expected, bits, ip);
  const a = disassemble(actual, bits, ip);
  if (e === a && !e.includes('(bad)')) {
    t.semantic++;
    t.details.push(`semantic ${where}: as ${expected} / ours ${actual} (${e})`);
  } else {
    t.different++;
    t.details.push(`DIFFERENT ${where}: as ${expected} (${e}) / ours ${actual || '(nothing)'} (${a})`);
  }
}

const files = readdirSync(corpusDir).filter((f) => /\.[sS]$/.test(f)).sort();

/** Every symbol GNU as would put in the object file, as `nm` prints its type and value. */
function ourSymbols(result: ReturnType<typeof assemble>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of result.symbols) {
    if (s.name.startsWith('.L')) continue;
    const letter = s.section === null ? 'a' : s.section === '.text' ? 't' : s.section === '.data' ? 'd' : s.section === '.bss' ? 'b' : '?';
    out[s.name] = `${s.global ? letter.toUpperCase() : letter} 0x${BigInt.asUintN(64, s.value).toString(16)}`;
  }
  return out;
}
const total: Tally = { identical: 0, semantic: 0, different: 0, bothRejected: 0, details: [] };

describe(`GNU as conformance (${live ? 'live as, and fixtures checked current' : 'recorded fixtures: as is not installed here, or SWITCHYARD_GAS_FIXTURES_ONLY=1'})`, () => {
  it.each(files)('%s', (file) => {
    const source = readFileSync(join(corpusDir, file), 'utf8');
    const fixture = JSON.parse(readFileSync(join(fixtureDir, file.replace(/\.[sS]$/, '.json')), 'utf8')) as Fixture;
    expect(fixture.sha256, `fixture for ${file} is stale: run npx tsx build/scripts/record-gas-fixtures.ts`).toBe(sha256(source));
    if (live) {
      const now = recordWithGas(file, source, corpusDir);
      expect({ lines: now.lines, sections: now.sections, symbols: now.symbols, errorLines: now.errorLines }, `fixture for ${file} differs from what this GNU as produces`).toEqual({
        lines: fixture.lines, sections: fixture.sections, symbols: fixture.symbols, errorLines: fixture.errorLines,
      });
    }
    const header = parseHeader(source);
    const cpp = isPreprocessed(file) ? { fileName: file, include: includeReaderWithin(corpusDir) } : {};
    const t: Tally = { identical: 0, semantic: 0, different: 0, bothRejected: 0, details: [] };
    if (fixture.kind === 'flat') {
      const result = assemble(source, { bits: header.bits });
      const ours = new Map<number, { hex: string; offset: number }>();
      for (const l of result.listing) {
        const prev = ours.get(l.line);
        ours.set(l.line, { hex: (prev?.hex ?? '') + Buffer.from(l.bytes).toString('hex'), offset: prev?.offset ?? l.offset });
      }
      const errorLines = new Set(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.line));
      const lines = source.split('\n');
      for (const [lineNo, expected] of Object.entries(fixture.lines!)) {
        const n = Number(lineNo);
        const where = `${file}:${n}: ${lines[n - 1].trim()}`;
        if (expected === null) {
          if (errorLines.has(n)) t.bothRejected++;
          else {
            t.different++;
            t.details.push(`DIFFERENT ${where}: as rejects it, we accept it (${ours.get(n)?.hex ?? ''})`);
          }
          continue;
        }
        if (errorLines.has(n)) {
          t.different++;
          t.details.push(`DIFFERENT ${where}: as gives ${expected}, we report ${result.diagnostics.find((d) => d.line === n)?.message}`);
          continue;
        }
        const o = ours.get(n);
        compareLine(t, where, expected, o?.hex ?? '', header.bits, BigInt(o?.offset ?? 0));
      }
    } else if (fixture.kind === 'reject') {
      const result = assemble(source, { bits: header.bits, ...cpp });
      const ours = [...new Set(result.diagnostics.filter((d) => d.severity === 'error' && d.file === undefined).map((d) => d.line))].sort((a, b) => a - b);
      for (const n of fixture.errorLines!) {
        if (ours.includes(n)) t.bothRejected++;
        else {
          t.different++;
          t.details.push(`DIFFERENT ${file}:${n}: GNU as rejects this line, we accept it`);
        }
      }
      for (const n of ours.filter((x) => !fixture.errorLines!.includes(x))) {
        t.different++;
        t.details.push(`DIFFERENT ${file}:${n}: we reject this line (${result.diagnostics.find((d) => d.line === n)?.message}), GNU as accepts it`);
      }
    } else {
      const result = assemble(source, { bits: header.bits, sectionBases: { '.text': header.textBase, '.data': header.dataBase }, ...cpp });
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((d) => `${d.file ?? file}:${d.line}:${d.column} ${d.message}`)).toEqual([]);
      if (fixture.symbols) {
        const theirs = fixture.symbols;
        const ours = ourSymbols(result);
        for (const name of new Set([...Object.keys(theirs), ...Object.keys(ours)])) {
          if (theirs[name] === ours[name]) continue;
          t.different++;
          t.details.push(`DIFFERENT ${file} symbol ${name}: as ${theirs[name] ?? '(none)'} / ours ${ours[name] ?? '(none)'}`);
        }
      }
      for (const [name, hex] of Object.entries(fixture.sections!)) {
        const section = result.sections.find((s) => s.name === name);
        const bytes = Buffer.from(section?.bytes ?? []).toString('hex');
        if (bytes === hex) {
          t.identical += result.listing.filter((l) => l.section === name).length;
          continue;
        }
        for (const l of result.listing.filter((x) => x.section === name)) {
          const expected = hex.slice(l.offset * 2, (l.offset + l.bytes.length) * 2);
          compareLine(t, `${file}:${l.line} (${name}+0x${l.offset.toString(16)})`, expected, Buffer.from(l.bytes).toString('hex'), header.bits, BigInt(l.offset));
        }
        if (bytes.length !== hex.length) {
          t.different++;
          t.details.push(`DIFFERENT ${file} ${name}: as made ${hex.length / 2} bytes, we made ${bytes.length / 2}`);
        }
      }
    }
    total.identical += t.identical;
    total.semantic += t.semantic;
    total.different += t.different;
    total.bothRejected += t.bothRejected;
    total.details.push(...t.details);
    if (t.details.length) console.log(t.details.slice(0, 60).join('\n'));
    expect(t.different, t.details.filter((d) => d.startsWith('DIFFERENT')).slice(0, 20).join('\n')).toBe(0);
  });

  it('meets the conformance targets over the whole corpus', () => {
    const lines = total.identical + total.semantic + total.different + total.bothRejected;
    const identicalShare = (total.identical + total.bothRejected) / lines;
    console.log(
      `GNU as conformance over ${lines} lines (${live ? 'live as' : 'fixtures'}): byte-identical ${total.identical}, both rejected ${total.bothRejected}, semantically identical ${total.semantic}, different ${total.different} (${(identicalShare * 100).toFixed(2)}% identical)`,
    );
    expect(lines).toBeGreaterThanOrEqual(3000);
    expect(identicalShare).toBeGreaterThanOrEqual(0.99);
    expect(total.different).toBe(0);
  });
});
