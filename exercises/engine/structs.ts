/** Typed structs: field offsets and sizes computed from the field list, exposed as assembler symbols and by field name. */
export interface StructField { name: string; offset: number; size: number }
export interface StructLayout { name: string; prefix: string; fields: StructField[]; size: number; byName: Map<string, StructField> }

export type FieldDecl = string | Record<string, number>;

/**
 * Fields are laid out in order, each aligned to its own size (as a C compiler does for
 * naturally-aligned integer fields), and the total is rounded to the largest field's alignment.
 */
export function layoutStruct(name: string, decls: FieldDecl[], prefix?: string): StructLayout {
  const fields: StructField[] = [];
  let offset = 0;
  let maxAlign = 1;
  for (const decl of decls) {
    const [fieldName, size] = typeof decl === 'string' ? [decl, 8] : Object.entries(decl)[0];
    offset = alignUp(offset, size);
    fields.push({ name: fieldName, offset, size });
    offset += size;
    maxAlign = Math.max(maxAlign, size);
  }
  const size = alignUp(offset, maxAlign);
  return { name, prefix: prefix ?? name.toUpperCase(), fields, size, byName: new Map(fields.map((f) => [f.name, f])) };
}

const alignUp = (v: number, a: number) => Math.ceil(v / a) * a;

/** `CTX_R15` = offset of r15, `CTX_SIZE` = the struct's size. */
export function structSymbols(layout: StructLayout): Record<string, number> {
  const symbols: Record<string, number> = { [`${layout.prefix}_SIZE`]: layout.size };
  for (const f of layout.fields) symbols[`${layout.prefix}_${f.name.toUpperCase()}`] = f.offset;
  return symbols;
}

export function readField(bytes: Uint8Array, base: number, field: StructField): bigint {
  let v = 0n;
  for (let i = field.size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[base + field.offset + i]);
  return v;
}

export function writeField(bytes: Uint8Array, base: number, field: StructField, value: bigint): void {
  let v = BigInt.asUintN(field.size * 8, value);
  for (let i = 0; i < field.size; i++) { bytes[base + field.offset + i] = Number(v & 0xffn); v >>= 8n; }
}
