// Suite "oracle": what one print and one read of the oracle cost as its history grows from 100 to 216,000 prints
// (30 days of 12 s prints), and what the pool's quote and trade cost on top of it (issue 16: constant cost per
// operation). Rows per operation and history length; the note gives the growth (cost ÷ cost with the previous, 10×
// shorter history) and the ratio column compares with the 100-print row of the same operation. Target: flat.
import { createPricer } from "../bindings/pricer.js";
import { CircuitBreakers, ManualClock, ManualOracle, OptionPool, spotMove, timeWeightedSpot, type SpotVolOracle } from "../pool/index.js";
import { seededUniform } from "./inputs.js";
import { measureBatches, samplingBudget, type BatchTask } from "./measure.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "oracle";
const T0 = 1_767_225_600;
const STEP_SECONDS = 12;
/** History lengths measured (prints). */
export const HISTORY_PRINTS = [100, 1_000, 10_000, 100_000, 216_000] as const;

/**
 * An oracle holding `prints` prints `stepSeconds` apart from T0: spot on a random walk of 60% a year, base vol on one
 * of 100% a year (kept in [0.05, 3]); `keepSeconds` defaults to the whole run, so pruning keeps it at `prints`.
 */
export function printedOracle(prints: number, stepSeconds = STEP_SECONDS, seed = 1, keepSeconds = prints * stepSeconds): ManualOracle {
  const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 }, { keepSeconds });
  const walk = randomWalk(stepSeconds, seed);
  for (let i = 1; i < prints; i++) oracle.push({ timestamp: T0 + i * stepSeconds, ...walk() });
  return oracle;
}

/** The next spot and base vol of the walk, from uniform steps with the stated annual standard deviation. */
function randomWalk(stepSeconds: number, seed: number): () => { spot: number; baseVol: number } {
  const rand = seededUniform(seed);
  const sd = Math.sqrt((3 * stepSeconds) / (365 * 86_400)); // √3 × uniform(−1, 1) has unit variance
  let spot = 2000;
  let baseVol = 0.6;
  return () => {
    spot *= Math.exp(0.6 * sd * (2 * rand() - 1));
    baseVol = Math.min(3, Math.max(0.05, baseVol * Math.exp(sd * (2 * rand() - 1))));
    return { spot, baseVol };
  };
}

/** A USDC put pool on `oracle` at its latest print, with liquidity and no IV-impact window (trades do not pile up flow). */
async function poolOn(oracle: SpotVolOracle): Promise<OptionPool> {
  const clock = new ManualClock(oracle.latest().timestamp + 5);
  const pricer = await createPricer();
  const pool = new OptionPool({ collateral: "quote", decimals: 6, sizeDecimals: 2, pricer, oracle, clock, params: { ivImpactWindowSeconds: 0 } });
  pool.deposit("lp", 100_000_000n * 1_000_000n);
  return pool;
}

/** The measured operations on a history of `prints` prints. */
async function tasksFor(prints: number): Promise<BatchTask[]> {
  const growing = printedOracle(prints);
  const walk = randomWalk(STEP_SECONDS, 2);
  let t = growing.latest().timestamp;
  const oracle = printedOracle(prints);
  const now = oracle.latest().timestamp + 5;
  const pool = await poolOn(oracle);
  const breakers = new CircuitBreakers(pool);
  const calm = { free: 1n, locked: 0n, breakerPausedUntil: { liquidity: 0, ivJump: 0, settlement: 0 } };
  const series = { type: "put" as const, strike: 1900, expiry: now + 14 * 86_400, size: 100n };
  const historyOnly: SpotVolOracle = { latest: () => oracle.latest(), history: (since) => oracle.history(since) };
  const at = `@ ${prints.toLocaleString("en")}`;
  const task = (name: string, run: () => void, units = 1, unit = "op"): BatchTask => ({ suite: SUITE, name: `${name} ${at}`, units, unit, run, baseline: `${name} @ 100` });
  return [
    task("push", () => void growing.push({ timestamp: (t += STEP_SECONDS), ...walk() }), 1, "print"),
    task("twap 30 min", () => void timeWeightedSpot(oracle, 1800, now), 1, "read"),
    task("twap 30 min, history-only oracle", () => void timeWeightedSpot(historyOnly, 1800, now), 1, "read"),
    task("move 10 min", () => void spotMove(oracle, 600), 1, "read"),
    task("iv-jump 1 h", () => void breakers.evaluate(calm, [], now), 1, "read"),
    task("quote", () => void pool.quote({ ...series, side: "buy" })),
    task("trade", () => {
      pool.trade("trader", { ...series, side: "buy", maxCost: 10n ** 15n });
      pool.trade("trader", { ...series, side: "sell", minProceeds: 0n });
    }, 2, "trade"),
  ];
}

/** Adds each row's growth over the row of the same operation with the previous (shorter) history to its note. */
function withGrowth(rows: BenchRow[], sizes: readonly number[]): BenchRow[] {
  const byName = new Map(rows.map((r) => [r.name, r]));
  return rows.map((row) => {
    const [name, size] = row.name.split(" @ ") as [string, string];
    const k = sizes.findIndex((s) => s.toLocaleString("en") === size);
    if (k <= 0) return { ...row, note: "history length 1×" };
    const before = byName.get(`${name} @ ${sizes[k - 1]!.toLocaleString("en")}`)!;
    const factor = sizes[k]! / sizes[k - 1]!;
    return { ...row, note: `growth ×${(row.nsPerOp / before.nsPerOp).toFixed(2)} for ${factor.toPrecision(3)}× the history` };
  });
}

export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const sizes = options.quick ? HISTORY_PRINTS.slice(0, 3) : HISTORY_PRINTS;
  const perSize: BatchTask[][] = [];
  for (const prints of sizes) perSize.push(await tasksFor(prints));
  // Rows of one operation side by side, shortest history first.
  const tasks = perSize[0]!.flatMap((_, op) => perSize.map((row) => row[op]!));
  const rows = await measureBatches(tasks, samplingBudget(options.quick), options.log);
  return withGrowth(rows, sizes);
}
