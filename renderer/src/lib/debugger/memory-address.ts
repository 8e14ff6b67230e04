/** The memory view's address box: a number, or a region or struct field the exercise names, plus an optional offset. */

export interface NamedRegion {
  name: string;
  address: number;
  fields: { name: string; offset: number }[];
}

export type Resolved = { address: bigint; label: string } | { error: string };

const NUMBER = /^(0x[0-9a-f]+|[0-9]+)$/i;

export function resolveAddress(input: string, regions: readonly NamedRegion[]): Resolved {
  const text = input.trim().replaceAll('_', '');
  if (text === '') return { error: 'write an address (0x…), or a region or field such as tb.fpu' };
  const [base, ...offsets] = text.split('+').map((s) => s.trim());
  let address: bigint;
  if (NUMBER.test(base)) address = BigInt(base);
  else {
    const [regionName, fieldName, ...extra] = base.split('.');
    const region = regions.find((r) => r.name === regionName);
    if (!region || extra.length > 0) return { error: `'${base}' is neither an address nor a region of this exercise${regions.length ? ` (${regions.map((r) => r.name).join(', ')})` : ''}` };
    const fieldOffset = fieldName === undefined ? 0 : region.fields.find((fd) => fd.name === fieldName)?.offset;
    if (fieldOffset === undefined) return { error: `${regionName} has no field '${fieldName}' (${region.fields.map((fd) => fd.name).join(', ')})` };
    address = BigInt(region.address + fieldOffset);
  }
  for (const offset of offsets) {
    if (!NUMBER.test(offset)) return { error: `'${offset}' is not an offset: write it in hex (0x…) or decimal` };
    address += BigInt(offset);
  }
  return { address, label: input.trim() };
}
