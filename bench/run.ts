// Runs the benchmark suites that exist and formats their rows as one markdown table with ratios
// against each suite's named baseline measured in the same run, plus the machine and versions.
// Suites are discovered at run time (a missing bench/<name>.{js,ts} is skipped, a present one always
// runs), so suites written later need no edit here beyond their name in SUITE_NAMES.
import { existsSync, readFileSync } from "node:fs";
import { cpus, arch, platform } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchRow, SuiteModule, SuiteOptions } from "./types.js";

/** Suite module names under bench/, in table order. */
export const SUITE_NAMES = [
  "blackscholes", "impliedvol", "montecarlo", "american", "surface", "workers", "risk", "oracle", "book", "book-open", "margin", "pool-scale", "pool-scale-5m", "hedge", "store", "journal", "serve", "serve-restart", "fleet",
] as const;

/**
 * Suites run only when named with --suite: "fleet" starts a local redis-server and worker processes; "pool-scale"
 * builds year-scale pools, "pool-scale-5m" a 5,000,000-event log; "journal" and "store" write gigabytes of journal and database files; "serve" starts a server;
 * "serve-restart" builds a 110,000-event service database and restarts servers on it; "book-open" a 100,000-event book.
 */
export const OPT_IN_SUITES: readonly string[] = ["book-open", "fleet", "pool-scale", "pool-scale-5m", "hedge", "journal", "store", "serve", "serve-restart"];

/** Options of runBenchmarks. */
export interface RunOptions extends SuiteOptions {
  /** Only these suites (names from SUITE_NAMES); when absent or empty, all but OPT_IN_SUITES. */
  suites?: readonly string[];
}

/** What a run produced. */
export interface RunResult {
  rows: BenchRow[];
  /** Suites whose module file does not exist (yet). */
  missing: string[];
  /** Suites left out because a package they compare against (a dev dependency) is not installed, with its name. */
  skipped: { suite: string; package: string }[];
}

const here = dirname(fileURLToPath(import.meta.url));

/** The module file of suite `name` next to this file (.js when compiled, .ts from source), or undefined. */
function suiteFile(name: string): string | undefined {
  for (const ext of [".js", ".ts"]) {
    const file = join(here, name + ext);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** Suites whose module file exists next to this one. */
export function availableSuites(): string[] {
  return SUITE_NAMES.filter((name) => suiteFile(name) !== undefined);
}

/**
 * Runs the selected suites one after the other (each in this thread; a suite may start its own workers).
 * @throws Error naming an unknown suite, or rethrows a suite's failure.
 */
export async function runBenchmarks(options: RunOptions): Promise<RunResult> {
  const wanted =
    options.suites && options.suites.length > 0 ? options.suites : SUITE_NAMES.filter((name) => !OPT_IN_SUITES.includes(name));
  for (const name of wanted) {
    if (!(SUITE_NAMES as readonly string[]).includes(name)) {
      throw new Error(`unknown suite "${name}" (known: ${SUITE_NAMES.join(", ")})`);
    }
  }
  const rows: BenchRow[] = [];
  const missing: string[] = [];
  const skipped: RunResult["skipped"] = [];
  const log = options.log ?? (() => {});
  for (const name of wanted) {
    if (suiteFile(name) === undefined) {
      missing.push(name);
      continue;
    }
    log(`suite ${name}${options.quick ? " (quick)" : ""}`);
    // Relative specifier resolved next to this module: dist/bench/*.js compiled, bench/*.ts under vitest.
    let suite: SuiteModule;
    try {
      suite = (await import(/* @vite-ignore */ `./${name}.js`)) as SuiteModule;
    } catch (error) {
      // An installed package has no dev dependencies: suites measured against an npm peer cannot run there.
      const lacking = missingPackage(error);
      if (lacking === undefined) throw error;
      log(`  skipped: it compares against ${lacking}, a dev dependency this install lacks`);
      skipped.push({ suite: name, package: lacking });
      continue;
    }
    if (typeof suite.runSuite !== "function") throw new Error(`bench/${name} does not export runSuite`);
    rows.push(...(await suite.runSuite({ quick: options.quick, log })));
  }
  return { rows, missing, skipped };
}

/** The package named by a "Cannot find package" error of an import, or undefined for any other error. */
function missingPackage(error: unknown): string | undefined {
  if ((error as { code?: unknown } | null)?.code !== "ERR_MODULE_NOT_FOUND") return undefined;
  return /Cannot find package '([^']+)'/.exec(error instanceof Error ? error.message : "")?.[1];
}

/** The directory holding package.json of the project (walking up from this file). */
function projectRoot(): string {
  let dir = here;
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "node_modules"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return here;
    dir = parent;
  }
}

function packageVersion(root: string, name: string): string {
  const file = name === "pool2peer" ? join(root, "package.json") : join(root, "node_modules", name, "package.json");
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version ?? "?";
  } catch {
    return "not installed";
  }
}

/** Packages whose versions the table reports. */
export const REPORTED_PACKAGES = [
  "pool2peer", "assemblyscript", "tinybench", "black-scholes", "greeks", "@uqee/black-scholes", "option-pricing", "better-sqlite3",
] as const;

/** One line on the machine and one on the package versions, for the table header. */
export function machineLines(): string[] {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? "unknown CPU";
  const root = projectRoot();
  return [
    `machine: ${model}, ${cores.length} cores, Node ${process.version}, ${platform()} ${arch()}`,
    `versions: ${REPORTED_PACKAGES.map((name) => `${name} ${packageVersion(root, name)}`).join(", ")}`,
  ];
}

/** 3 significant digits with an SI suffix: 48.3M, 512k, 7.21. */
function formatRate(value: number): string {
  const units: [number, string][] = [[1e9, "G"], [1e6, "M"], [1e3, "k"]];
  // Decide the unit after rounding to 3 digits, so 999,999 prints as 1.00M rather than 1.00e+3k.
  const rounded = Number(value.toPrecision(3));
  for (const [scale, suffix] of units) if (rounded >= scale) return `${(rounded / scale).toPrecision(3)}${suffix}`;
  return rounded.toPrecision(3);
}

/** ns with 3 significant digits, thousands separated: 20.7, 1,234, 45,600. */
function formatNs(value: number): string {
  return value >= 1000 ? Math.round(value).toLocaleString("en-US") : value.toPrecision(3);
}

/** Column headers of the table, in order. */
export const TABLE_COLUMNS = ["suite", "name", "ops/s", "ns/op", "unit", "ratio", "baseline", "note"] as const;

/**
 * Markdown table of the rows. ratio = baseline ns/op ÷ row ns/op (higher is faster, 1.00× for the
 * baseline itself); the baseline is each row's `baseline`, else the first row of its suite.
 */
export function formatTable(rows: readonly BenchRow[]): string {
  const firstOfSuite = new Map<string, BenchRow>();
  for (const row of rows) if (!firstOfSuite.has(row.suite)) firstOfSuite.set(row.suite, row);
  const cells = rows.map((row) => {
    const baselineName = row.baseline ?? firstOfSuite.get(row.suite)!.name;
    const baseline = rows.find((r) => r.suite === row.suite && r.name === baselineName);
    const ratio = baseline ? `${(baseline.nsPerOp / row.nsPerOp).toPrecision(3)}×` : "n/a";
    const cell = (text: string) => text.replace(/\|/g, "\\|"); // a literal | would split a markdown cell
    return [row.suite, row.name, formatRate(row.opsPerSecond), formatNs(row.nsPerOp), row.unit, ratio, baselineName, row.note ?? ""].map(cell);
  });
  const all = [Array.from(TABLE_COLUMNS) as string[], ...cells];
  const widths = TABLE_COLUMNS.map((_, c) => Math.max(...all.map((line) => line[c]!.length)));
  const numeric = new Set([2, 3, 5]);
  const line = (values: string[]) =>
    `| ${values.map((v, c) => (numeric.has(c) ? v.padStart(widths[c]!) : v.padEnd(widths[c]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, c) => (numeric.has(c) ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|")}|`;
  return [line(all[0]!), rule, ...cells.map(line)].join("\n");
}
