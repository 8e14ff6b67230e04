/** Little-endian byte helpers shared by the layout builders. */

export type Int = number | bigint;

export function big(v: Int): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

export function leBytes(value: Int, size: number): Uint8Array {
  let v = BigInt.asUintN(size * 8, big(value));
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function readLe(bytes: Uint8Array, offset: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[offset + i] ?? 0);
  return v;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || /[^0-9a-fA-F]/.test(hex)) throw new Error(`not an even-length hex string: "${hex.slice(0, 20)}"`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function hex(v: Int): string {
  return '0x' + big(v).toString(16);
}

export function checkRange(what: string, v: Int, bits: number): bigint {
  const b = big(v);
  if (b < 0n || b >> BigInt(bits) !== 0n) throw new RangeError(`${what}: ${hex(b)} does not fit in ${bits} bits`);
  return b;
}
