/** One named benchmark figure (names are a contract: add new ones, never rename). */
export interface Figure {
  name: string;
  unit: string;
  /** How many runs the median is taken over. */
  runs?: number;
  /** Runs made first and not counted: the steady state is measured, after the JIT and the block compiler warmed up. */
  warmups?: number;
  /**
   * A single-threaded CPU figure, measured with the process's main thread held on one CPU: on a
   * shared virtual machine an unpinned run of the same bytes fell to half speed for seconds at a time.
   */
  pinned?: boolean;
  /** Performs one run and returns the figure's value for that run, or null when it cannot be measured here (the reason goes to stderr). */
  measure(): Promise<number | null>;
}
