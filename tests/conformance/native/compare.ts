/** Comparing two outcomes of one case, and reporting disagreements so a person can read them. */
import { GPR_NAMES, type NativeCase, type NativeOutcome } from './types.ts';

const FLAG_NAMES: [number, string][] = [
  [0, 'CF'], [2, 'PF'], [4, 'AF'], [6, 'ZF'], [7, 'SF'], [8, 'TF'], [9, 'IF'], [10, 'DF'], [11, 'OF'],
  [14, 'NT'], [16, 'RF'], [17, 'VM'], [18, 'AC'], [19, 'VIF'], [20, 'VIP'], [21, 'ID'],
];

export function flagNames(value: bigint): string {
  const names = FLAG_NAMES.filter(([bit]) => (value >> BigInt(bit)) & 1n).map(([, n]) => n);
  const iopl = (value >> 12n) & 3n;
  if (iopl) names.push(`IOPL=${iopl}`);
  return names.length ? names.join(' ') : '(none)';
}

export interface Difference {
  what: string;
  expected: string;
  actual: string;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

/**
 * Differences between the expected and actual outcome: the fault (vector and RIP), every register,
 * RFLAGS outside the case's undefined flags, and the data page.
 */
export function differences(c: NativeCase, expected: NativeOutcome, actual: NativeOutcome): Difference[] {
  const out: Difference[] = [];
  if ((expected.fault ?? null) !== (actual.fault ?? null)) out.push({ what: 'fault', expected: expected.fault ?? 'none', actual: actual.fault ?? 'none' });
  else if (expected.fault && BigInt(expected.faultRip ?? '0') !== BigInt(actual.faultRip ?? '0'))
    out.push({ what: 'fault RIP', expected: expected.faultRip ?? '?', actual: actual.faultRip ?? '?' });
  for (const name of GPR_NAMES) {
    const e = BigInt(expected.regs[name]);
    const a = BigInt(actual.regs[name]);
    if (e !== a) out.push({ what: name, expected: hex(e), actual: hex(a) });
  }
  const care = ~BigInt(c.undefinedFlags);
  const ef = BigInt(expected.rflags) & care;
  const af = BigInt(actual.rflags) & care;
  if (ef !== af) {
    out.push({ what: 'rflags', expected: `${hex(ef)} [${flagNames(ef)}]`, actual: `${hex(af)} [${flagNames(af)}] (differ: ${flagNames(ef ^ af)})` });
  }
  if (expected.simd || actual.simd) {
    const e = expected.simd ?? {};
    const a = actual.simd ?? {};
    for (const name of new Set([...Object.keys(e), ...Object.keys(a)])) if (e[name] !== a[name]) out.push({ what: name, expected: e[name] ?? 'none', actual: a[name] ?? 'none' });
  }
  const expectedData = maskData(c, expected.data);
  const actualData = maskData(c, actual.data);
  if (expectedData !== actualData) {
    const bytes: string[] = [];
    for (let i = 0; i < Math.max(expected.data.length, actual.data.length) && bytes.length < 8; i += 2) {
      const e = expectedData.slice(i, i + 2);
      const a = actualData.slice(i, i + 2);
      if (e !== a) bytes.push(`+${i / 2}: ${e || '--'}→${a || '--'}`);
    }
    out.push({ what: 'data', expected: `${expected.data.length / 2} bytes`, actual: bytes.join(', ') });
  }
  return out;
}

/** The data page's hex with the case's ignored ranges blanked out. */
export function maskData(c: NativeCase, data: string): string {
  if (!c.ignoreData) return data;
  let out = data;
  for (const [off, len] of c.ignoreData) out = out.slice(0, off * 2) + '..'.repeat(len) + out.slice((off + len) * 2);
  return out;
}

export function describeMismatch(c: NativeCase, diffs: Difference[], labels: [string, string]): string {
  const inputs = GPR_NAMES.filter((n) => BigInt(c.regs[n]) !== 0n).map((n) => `${n}=${c.regs[n]}`);
  const lines = [
    `${c.id}  ${c.text}   (code ${c.code})`,
    `  in:  ${inputs.join(' ')}`,
    `       rflags=${c.rflags} [${flagNames(BigInt(c.rflags))}]  undefined: [${flagNames(BigInt(c.undefinedFlags))}]`,
  ];
  for (const d of diffs) lines.push(`  ${d.what.padEnd(9)} ${labels[0]}: ${d.expected}   ${labels[1]}: ${d.actual}`);
  return lines.join('\n');
}

export interface Agreement {
  family: string;
  cases: number;
  agree: number;
  disagree: number;
}

export function agreementTable(rows: Agreement[]): string {
  const total = rows.reduce((t, r) => ({ family: 'total', cases: t.cases + r.cases, agree: t.agree + r.agree, disagree: t.disagree + r.disagree }), {
    family: 'total',
    cases: 0,
    agree: 0,
    disagree: 0,
  });
  const line = (r: Agreement) => `${r.family.padEnd(12)} ${String(r.cases).padStart(8)} ${String(r.agree).padStart(8)} ${String(r.disagree).padStart(9)}`;
  return [`${'family'.padEnd(12)} ${'cases'.padStart(8)} ${'agree'.padStart(8)} ${'disagree'.padStart(9)}`, ...rows.map(line), line(total)].join('\n');
}

/** Runs `compare` over every case, tallying per family and keeping the first few mismatches. */
export function tally(
  cases: readonly NativeCase[],
  compare: (c: NativeCase, index: number) => Difference[],
  keep = 10,
): { rows: Agreement[]; mismatches: { c: NativeCase; diffs: Difference[] }[]; disagreeing: number } {
  const rows = new Map<string, Agreement>();
  const mismatches: { c: NativeCase; diffs: Difference[] }[] = [];
  let disagreeing = 0;
  for (const [index, c] of cases.entries()) {
    let row = rows.get(c.family);
    if (!row) rows.set(c.family, (row = { family: c.family, cases: 0, agree: 0, disagree: 0 }));
    row.cases++;
    const diffs = compare(c, index);
    if (diffs.length === 0) row.agree++;
    else {
      row.disagree++;
      disagreeing++;
      if (mismatches.length < keep) mismatches.push({ c, diffs });
    }
  }
  return { rows: [...rows.values()], mismatches, disagreeing };
}

/** Prints the per-family agreement table and the first disagreements, each described. */
export function reportAgreement(title: string, result: ReturnType<typeof tally>, labels: [string, string]): void {
  const lines = [`\n${title}`, agreementTable(result.rows)];
  if (result.mismatches.length) {
    lines.push(`\nfirst ${result.mismatches.length} of ${result.disagreeing} disagreements:`);
    for (const m of result.mismatches) lines.push(describeMismatch(m.c, m.diffs, labels));
  }
  console.log(lines.join('\n'));
}
