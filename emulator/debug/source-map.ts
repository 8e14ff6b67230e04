/** Source line ↔ address, built from the assembler's listing and its section bases. */
import type { AssembleResult } from '../asm/types.ts';

export class SourceMap {
  private readonly lineOf = new Map<number, number>();
  private readonly addressesOf = new Map<number, number[]>();

  /** `entries`: each instruction's (or datum's) first address and the line that produced it. */
  constructor(entries: Iterable<{ address: number; line: number }>) {
    for (const { address, line } of entries) {
      if (!this.lineOf.has(address)) this.lineOf.set(address, line);
      const list = this.addressesOf.get(line);
      if (list) list.push(address);
      else this.addressesOf.set(line, [address]);
    }
  }

  static fromAssembly(result: Pick<AssembleResult, 'listing' | 'sections'>): SourceMap {
    const bases = new Map(result.sections.map((s) => [s.name, Number(s.base)]));
    return new SourceMap(
      result.listing.filter((e) => e.bytes.length > 0).map((e) => ({ address: (bases.get(e.section) ?? 0) + e.offset, line: e.line })),
    );
  }

  /** The source line of the instruction starting at `address`, if the listing has one. */
  line(address: number | bigint): number | undefined {
    return this.lineOf.get(Number(address));
  }

  /** The first address a line produced (where a breakpoint on that line goes). */
  address(line: number): number | undefined {
    return this.addressesOf.get(line)?.[0];
  }

  /** The nearest line at or after `line` that produced code (for a breakpoint set on a blank or comment line). */
  nearestLine(line: number): number | undefined {
    let best: number | undefined;
    for (const l of this.addressesOf.keys()) if (l >= line && (best === undefined || l < best)) best = l;
    return best;
  }
}
