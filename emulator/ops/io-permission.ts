/** The permission check of IN, OUT, INS and OUTS in protected mode (Intel SDM Vol. 1, 19.5): IOPL, then the TSS's I/O permission bitmap. */
import { CR0_PE } from '../arch/control-registers.ts';
import { generalProtection, hex } from '../arch/faults.ts';
import { IOPL } from '../arch/rflags.ts';
import { SEG_TYPE, SEG_UNUSABLE, SYS_TSS_AVAILABLE, SYS_TSS_BUSY } from '../arch/segments.ts';
import type { Cpu } from '../cpu/state.ts';

/** TSS offset of the 16-bit I/O map base (32-bit and 64-bit TSS alike). */
const IO_MAP_BASE = 0x66;

/**
 * #GP(0) unless the access of `size` bytes at `port` is allowed: always at CPL <= IOPL, otherwise
 * only when every bit for its bytes in the TSS I/O permission bitmap is clear. The CPU reads two
 * bitmap bytes, so both must lie within the TSS limit (SDM Vol. 1, 19.5.2).
 */
export function checkIoPermission(cpu: Cpu, port: number, size: number, what: string): void {
  if ((cpu.cr0 & CR0_PE) === 0) return;
  const iopl = (cpu.flags & IOPL) >> 12;
  if (cpu.cpl <= iopl) return;
  const why = `${what} port ${hex(port)} (${size} byte${size > 1 ? 's' : ''}): CPL ${cpu.cpl} is above IOPL ${iopl}`;
  const tr = cpu.tr;
  const type = tr.attrs & SEG_TYPE;
  if (tr.attrs & SEG_UNUSABLE || (type !== SYS_TSS_AVAILABLE && type !== SYS_TSS_BUSY)) throw generalProtection(0, `${why} and TR (${hex(tr.selector)}) holds no 32- or 64-bit TSS with an I/O permission bitmap`);
  if (tr.limit < IO_MAP_BASE + 1) throw generalProtection(0, `${why} and the TSS limit ${hex(tr.limit)} leaves no room for the I/O map base at offset 0x66`);
  const mapBase = cpu.mem.readAs(tr.base + IO_MAP_BASE, 2, false) & 0xffff;
  const at = mapBase + (port >>> 3);
  if (at + 1 > tr.limit) throw generalProtection(0, `${why} and its I/O bitmap bytes at TSS offset ${hex(at)} lie beyond the TSS limit ${hex(tr.limit)} (I/O map base ${hex(mapBase)})`);
  const bits = cpu.mem.readAs(tr.base + at, 2, false) & 0xffff;
  const mask = ((1 << size) - 1) << (port & 7);
  if (bits & mask) throw generalProtection(0, `${why} and the TSS I/O bitmap denies it (bitmap word ${hex(bits)} at TSS offset ${hex(at)}, bits ${port & 7}..${(port & 7) + size - 1})`);
}
