/** A struct region as the debugger reads it after each stop (the session's StructView). */
export interface StructView {
  name: string;
  address: number;
  fields: { name: string; offset: number; value: bigint; changed: boolean }[];
}

export interface ContextRow {
  field: string;
  offset: number;
  values: bigint[];
  /** Changed since the last stop, per region. */
  changed: boolean[];
  /** The regions do not all hold the same value. */
  differs: boolean;
}

export interface ContextGroup {
  /** The regions' names, in the order the exercise declares them. */
  names: string[];
  addresses: number[];
  rows: ContextRow[];
}

/** Regions with the same fields at the same offsets are taken as one struct type (e.g. two thread contexts). */
const layoutKey = (s: StructView) => s.fields.map((f) => `${f.name}@${f.offset}`).join(',');

/** Struct regions of one type, two or more, lined up field by field for a side-by-side view. */
export function groupContexts(structs: readonly StructView[]): ContextGroup[] {
  const byLayout = new Map<string, StructView[]>();
  for (const s of structs) {
    if (s.fields.length === 0) continue;
    const key = layoutKey(s);
    byLayout.set(key, [...(byLayout.get(key) ?? []), s]);
  }
  return [...byLayout.values()]
    .filter((group) => group.length >= 2)
    .map((group) => ({
      names: group.map((s) => s.name),
      addresses: group.map((s) => s.address),
      rows: group[0].fields.map((field, i) => {
        const values = group.map((s) => s.fields[i].value);
        return { field: field.name, offset: field.offset, values, changed: group.map((s) => s.fields[i].changed), differs: values.some((v) => v !== values[0]) };
      }),
    }));
}
