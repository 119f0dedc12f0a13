// Suite "risk": a full stress run of a pool holding 1,000 positions (1,000 distinct put series: 50 strikes ×
// 20 expiries) — the 23-scenario grid plus a 100,000-path 1-day Monte Carlo VaR/ES with full revaluation of the
// book on every path (10^8 Black-Scholes valuations) — on a 2-worker pool, against the same run on the
// single-thread pricer. Target (issue 6): under 5 s on 2 workers. Wall time of whole runs, fastest kept.
import { createPricer } from "../bindings/pricer.js";
import { ManualClock, ManualOracle, OptionPool } from "../pool/index.js";
import { stressTestPool, valueAtRiskPool } from "../pool/risk/index.js";
import { createPricingPool } from "../workers/pool.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "risk";
const T0 = 1_767_225_600;
const DAY = 86_400;

/** A USDC pool short 1,000 put series (or `positions`). */
export async function benchPool(positions: number): Promise<OptionPool> {
  const pricer = await createPricer();
  const clock = new ManualClock(T0);
  const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6, skew: -0.1 });
  const pool = new OptionPool({ collateral: "quote", decimals: 6, pricer, oracle, clock });
  pool.deposit("lp", 10n ** 9n * 1_000_000n);
  for (let i = 0; i < positions; i++) {
    const strike = 1200 + 30 * (i % 50);
    const expiry = T0 + (2 + 18 * Math.floor(i / 50)) * DAY;
    pool.trade(`trader${i % 7}`, { type: "put", strike, expiry, size: 100n + BigInt(i % 13) * 25n, side: "buy", maxCost: 10n ** 18n });
  }
  return pool;
}

export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const positions = options.quick ? 100 : 1000;
  const paths = options.quick ? 10_000 : 100_000;
  const pool = await benchPool(positions);
  const pricer = await createPricer();
  const workers = await createPricingPool({ workers: 2, module: pricer.core.module });
  const rows: BenchRow[] = [];
  try {
    const run = async (engine: typeof pricer | typeof workers) => {
      const t0 = performance.now();
      const stress = await stressTestPool(pool, engine);
      const v = await valueAtRiskPool(pool, engine, { paths, horizonDays: 1, seed: 1 });
      return { ms: performance.now() - t0, worst: stress.worst.sharePriceChange, es: v.expectedShortfall, esSe: v.expectedShortfallStdError };
    };
    const rounds = options.quick ? 1 : 2;
    for (const [name, engine] of [["pricer (1 thread)", pricer], ["worker pool (2 workers)", workers]] as const) {
      let best = Infinity;
      let last: Awaited<ReturnType<typeof run>> | undefined;
      for (let r = 0; r < rounds; r++) {
        last = await run(engine);
        best = Math.min(best, last.ms);
        log(`  ${SUITE}: ${name} round ${r + 1}/${rounds}: ${(last.ms / 1000).toFixed(2)} s`);
      }
      const valuations = positions * (paths + 24);
      rows.push({
        suite: SUITE, name, opsPerSecond: (valuations / best) * 1000, nsPerOp: (best * 1e6) / valuations, unit: "valuation",
        baseline: "pricer (1 thread)",
        note: `full stress run: 23 scenarios + ${paths.toLocaleString("en")}-path VaR on ${positions} positions in ${(best / 1000).toFixed(2)} s; ES99 ${(last!.es * 100).toFixed(3)}% ± ${(last!.esSe * 100).toFixed(3)}%`,
      });
    }
  } finally {
    await workers.close();
  }
  return rows;
}
