// Shared shapes of the benchmark harness: every suite returns BenchRow[] and the CLI formats them.

/** One measured task of a benchmark suite, normalised to one unit of work (an option, a path step...). */
export interface BenchRow {
  /** Suite name, e.g. "blackscholes", "impliedvol", "mc", "workers". */
  suite: string;
  /** Task name, unique within the suite, e.g. "wasm simd", "plain js". */
  name: string;
  /** Units of work per second (mean over the samples). */
  opsPerSecond: number;
  /** Nanoseconds per unit of work (mean). */
  nsPerOp: number;
  /** What one op is: "option", "path-step", ... */
  unit: string;
  /** Free text: what the task includes, which greeks a peer offers, iterations used... */
  note?: string;
  /** Name of the row of the same suite that ratios are computed against (set on every row of a suite). */
  baseline?: string;
}

/** Options every suite's `runSuite` receives. */
export interface SuiteOptions {
  /** Small batches and short sampling times: a smoke run that finishes in seconds. */
  quick: boolean;
  /** Progress lines (to stderr in the CLI); silent when absent. */
  log?: (line: string) => void;
}

/** The contract of a suite module: bench/<name>.ts exports `runSuite`. */
export interface SuiteModule {
  runSuite(options: SuiteOptions): Promise<BenchRow[]>;
}
