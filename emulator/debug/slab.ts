/**
 * Many small typed arrays carved out of a few large buffers: allocating a fresh ArrayBuffer for
 * each page snapshot or checkpoint costs far more than copying into it. A slab lives while any
 * array cut from it does.
 */
const SLAB_BYTES = 256 * 1024;

export class Slab {
  private buffer = new ArrayBuffer(SLAB_BYTES);
  private used = 0;

  private room(bytes: number): number {
    const at = Math.ceil(this.used / 8) * 8;
    if (at + bytes <= this.buffer.byteLength) {
      this.used = at + bytes;
      return at;
    }
    this.buffer = new ArrayBuffer(Math.max(SLAB_BYTES, bytes));
    this.used = bytes;
    return 0;
  }

  /** A copy of `source` in the slab. */
  copyBytes(source: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.buffer, this.room(source.length), source.length);
    out.set(source);
    return out;
  }

  /** A copy of the first `n` values of `source` in the slab. */
  copyFloats(source: Float64Array, n: number): Float64Array {
    const out = new Float64Array(this.buffer, this.room(n * 8), n);
    out.set(source.subarray(0, n));
    return out;
  }
}
