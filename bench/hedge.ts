// Suite "hedge" (issue 18): the hedger's rebalance decision on a 2,000-series book (target ≤ 1 ms): the guarded
// oracle, the book as one batch, its delta and gamma, and the policy; against the Black-Scholes batch of the same
// 2,000 options alone (the decision's floor). Latencies per call, p50 and p99. Run: pool2peer bench --suite hedge.
import { createPricer } from "../bindings/pricer.js";
import { Hedger, SimulatedVenue } from "../pool/index.js";
import { latency, scalePool } from "./pool-scale.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "hedge";

export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const pricer = await createPricer();
  const series = options.quick ? 200 : 2000;
  const { pool, clock, oracle } = scalePool(pricer, { series, holders: series, prints: 100 });
  const venue = new SimulatedVenue({ spot: () => oracle.latest().spot, clock });
  const fixed = new Hedger({ venue, policy: { band: { kind: "fixed", halfWidth: 5 } } });
  const ww = new Hedger({ venue, policy: { band: { kind: "whalley-wilmott", riskAversion: 1e-4 } } });
  const calls = options.quick ? 200 : 1000;
  const book = pool.openBook();
  for (let i = 0; i < 50; i++) pool.hedgeDecision(fixed); // warm-up
  const rows: [string, { p50: number; p99: number }, string][] = [
    [`rebalance decision, fixed band, ${series} series`, latency(calls, () => void pool.hedgeDecision(fixed)), "guarded oracle + book batch + delta/gamma + policy"],
    [`rebalance decision, Whalley-Wilmott, ${series} series`, latency(calls, () => void pool.hedgeDecision(ww)), "as above, band from gamma and venue costs"],
    [`blackScholes batch of the ${series} series (floor)`, latency(calls, () => void pricer.blackScholes(book.batch)), "the pricing inside a decision"],
  ];
  return rows.map(([name, l, note]) => ({ suite: SUITE, name, opsPerSecond: 1e6 / l.p50, nsPerOp: l.p50 * 1000, unit: "decision", note: `p99 ${l.p99.toFixed(1)} µs; ${note}` }));
}
