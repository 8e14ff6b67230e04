export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export function vitestCounts(report: unknown, root?: string): { counts: Counts; skipped: string[]; brokenFiles: string[] };
export function playwrightCounts(report: unknown): { counts: Counts; skipped: string[]; errors: number };
export function summaryLine(counts: Counts): string;
