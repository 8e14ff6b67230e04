/** A vector register (or a 128-bit half of one) read as lanes of integers or floats, lane 0 first. */

export const LANE_FORMATS = ['f32', 'f64', 'x8', 'x16', 'x32', 'x64', 'u8', 'u16', 'u32', 'u64', 'i8', 'i16', 'i32', 'i64'] as const;
export type LaneFormat = (typeof LANE_FORMATS)[number];

export const LANE_FORMAT_NAMES: Record<LaneFormat, string> = {
  f32: 'float (f32)',
  f64: 'double (f64)',
  x8: 'bytes, hex',
  x16: 'words, hex',
  x32: 'dwords, hex',
  x64: 'qwords, hex',
  u8: 'u8',
  u16: 'u16',
  u32: 'u32',
  u64: 'u64',
  i8: 'i8',
  i16: 'i16',
  i32: 'i32',
  i64: 'i64',
};

const laneBits = (format: LaneFormat): number => Number(format.slice(1));

/** A float's bits as the shortest decimal that reads back to the same float; NaNs say whether they are quiet. */
export function floatText(bits: bigint, width: 32 | 64): string {
  const view = new DataView(new ArrayBuffer(8));
  let value: number;
  if (width === 32) {
    view.setUint32(0, Number(bits));
    value = view.getFloat32(0);
  } else {
    view.setBigUint64(0, bits);
    value = view.getFloat64(0);
  }
  const negative = (bits >> BigInt(width - 1)) & 1n ? '-' : '';
  if (Number.isNaN(value)) {
    const quiet = (bits >> BigInt(width === 32 ? 22 : 51)) & 1n;
    return `${negative}${quiet ? 'QNaN' : 'SNaN'}`;
  }
  if (value === Infinity || value === -Infinity) return `${negative}inf`;
  if (Object.is(value, -0)) return '-0';
  if (width === 64) return String(value);
  for (let p = 1; p < 9; p++) {
    const shorter = Number(value.toPrecision(p));
    if (Math.fround(shorter) === value) return String(shorter);
  }
  return String(Number(value.toPrecision(9)));
}

/** The lanes of a `bytes`-wide value (16 or 32), lane 0 (the lowest bits) first. */
export function lanes(value: bigint, bytes: number, format: LaneFormat): string[] {
  const width = laneBits(format);
  const mask = (1n << BigInt(width)) - 1n;
  const out: string[] = [];
  for (let i = 0; i < (bytes * 8) / width; i++) {
    const lane = (value >> BigInt(i * width)) & mask;
    switch (format[0]) {
      case 'f':
        out.push(floatText(lane, width as 32 | 64));
        break;
      case 'x':
        out.push(lane.toString(16).padStart(width / 4, '0'));
        break;
      case 'u':
        out.push(lane.toString());
        break;
      default:
        out.push(BigInt.asIntN(width, lane).toString());
    }
  }
  return out;
}

/** A 128- or 256-bit value in hex, one `_` between qwords. */
export function vectorHex(value: bigint, bytes: number): string {
  const hex = value.toString(16).padStart(bytes * 2, '0');
  const qwords: string[] = [];
  for (let i = 0; i < hex.length; i += 16) qwords.push(hex.slice(i, i + 16));
  return `0x${qwords.join('_')}`;
}
