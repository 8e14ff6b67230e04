import type { MethodResult } from '../../../../backend/api/contract.ts';

export type CheckOutcome = MethodResult<'exercises.check'>;
export type CaseView = NonNullable<CheckOutcome['failingCase']>;
export type CheckView = CheckOutcome['result']['checks'][number];

export interface FieldRow {
  region: string;
  field: string;
  offset: string;
  actual: string;
  /** What the field should hold, when the check or an input of the same name says so. */
  expected?: string;
  /** Where `expected` comes from: the failing check itself, or the input named like the field. */
  source?: 'check' | 'input';
  mismatch: boolean;
  /** The field the failing check names. */
  named: boolean;
}

/** `ctx.rbx (offset 0x8) holds …` → region `ctx`, field `rbx`. */
export function namedField(message: string): { region: string; field: string } | undefined {
  const match = /^([A-Za-z_]\w*)\.([A-Za-z_]\w*)\b/.exec(message);
  return match ? { region: match[1], field: match[2] } : undefined;
}

const sameValue = (a: string, b: string) => {
  try {
    return BigInt(a) === BigInt(b);
  } catch {
    return a === b;
  }
};

/** Every struct field of the failing case by name, next to what it should hold where that is known. */
export function fieldDiff(failing: CaseView, check: CheckView | undefined): FieldRow[] {
  const named = check ? namedField(check.message) : undefined;
  const rows: FieldRow[] = [];
  for (const [region, fields] of Object.entries(failing.structs)) {
    for (const [field, { offset, value }] of Object.entries(fields)) {
      const isNamed = named?.region === region && named.field === field;
      let expected: string | undefined;
      let source: FieldRow['source'];
      if (isNamed && check?.expected !== undefined) {
        expected = check.expected;
        source = 'check';
      } else if (failing.inputs[field] !== undefined) {
        expected = failing.inputs[field];
        source = 'input';
      }
      rows.push({ region, field, offset, actual: value, expected, source, mismatch: expected !== undefined && !sameValue(expected, value), named: isNamed });
    }
  }
  return rows;
}
