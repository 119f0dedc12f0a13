// Suite "margin": portfolio margin of a 100-position account over the derive-33 grid (3,300 options per figure,
// priced in place by the price-only kernel; target ≤ 100 µs), at a new spot each call so that the whole grid is
// priced, against pricing a batch of that size through pricer.blackScholes (greeks, copied columns) and through the
// price-only kernel in place; then the margin after a change the calculator's grid absorbs (one position resized,
// one new series); and a Monte Carlo ES of 10,000 one-day paths on 1,000 positions on a 2-worker pool (10^7
// valuations; target ≤ 1 s) by its price-only call, through blackScholes (all six greeks), and on this thread. The
// figures of the first part are measured in interleaved rounds (the machine is shared) and each reports its fastest
// round's mean; the ES reports the fastest of whole runs, the three engines alternated.
import { createPricer, type Pricer } from "../bindings/pricer.js";
import { PriceColumns } from "../bindings/price-columns.js";
import { derive33, esCosts, MarginCalculator, monteCarloEs, type MarginMarket, type MarginPosition } from "../pool/margin/index.js";
import { createPricingPool } from "../workers/pool.js";
import type { OptionBatch } from "../bindings/types.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "margin";
const T0 = 1_767_225_600;
const DAY = 86_400;
const scales = { decimals: 6, sizeDecimals: 2 };

/** `n` positions: puts and calls over 20 strikes × up to 50 expiries, longs and shorts. */
export function benchPositions(n: number): MarginPosition[] {
  return Array.from({ length: n }, (_, i) => ({
    series: { type: i % 3 === 0 ? "call" : "put", strike: 1500 + 50 * (i % 20), expiry: T0 + (3 + 7 * Math.floor(i / 20)) * DAY },
    size: (i % 4 === 0 ? 1n : -1n) * (100n + BigInt(i % 11) * 50n),
  }));
}

const market: MarginMarket = { spot: 2000, rate: 0.03, now: T0, vol: (k) => 0.6 - 0.1 * Math.log(k / 2000) };
/** The same market a hair away: alternated with `market`, every call prices the whole grid. */
const moved: MarginMarket = { ...market, spot: 2000.5 };

/** The 100-position margin figure, its incremental cases and the kernel it rests on; best of interleaved rounds. */
function marginRows(pricer: Pricer, options: SuiteOptions, log: (line: string) => void): BenchRow[] {
  const rows: BenchRow[] = [];
  const positions = benchPositions(100);
  const calc = new MarginCalculator(pricer, { scales, preset: derive33() });
  const batch = { type: new Int8Array(3400).fill(-1), spot: 2000, strike: new Float64Array(3400).fill(1800), expiry: new Float64Array(3400).fill(0.1), vol: new Float64Array(3400).fill(0.6), rate: 0.03 };
  const inPlace = PriceColumns.reserve(pricer.core, 3400);
  const reps = options.quick ? 100 : 500;
  const rounds = options.quick ? 5 : 20;
  const cases = {
    greeks: () => pricer.blackScholes(batch),
    priceOnly: () => {
      const v = PriceColumns.reuse(inPlace, pricer.core, 3400);
      v.view.type.fill(-1);
      v.view.spot.fill(2000);
      v.view.strike.fill(1800);
      v.view.expiry.fill(0.1);
      v.view.vol.fill(0.6);
      v.view.rate.fill(0.03);
      v.view.dividend.fill(0);
      v.price(3400);
    },
    figure: () => {
      flip = !flip;
      calc.figures(positions, flip ? market : moved);
    },
    resized: () => {
      flip = !flip;
      calc.figures(flip ? positions : resized, market);
    },
    added: () => {
      flip = !flip;
      calc.figures(flip ? withOrderA : withOrderB, market);
    },
  };
  let flip = false;
  const resized = positions.map((p, i) => (i === 50 ? { ...p, size: p.size + 100n } : p));
  const order = (strike: number) => ({ series: { type: "call" as const, strike, expiry: T0 + 24 * DAY }, size: -100n });
  const [withOrderA, withOrderB] = [[...positions, order(2225)], [...positions, order(2275)]];
  const best = { greeks: Infinity, priceOnly: Infinity, figure: Infinity, resized: Infinity, added: Infinity };
  for (let r = 0; r < rounds; r++) {
    for (const name of ["greeks", "priceOnly", "figure", "resized", "added"] as const) {
      const f = cases[name];
      for (let i = 0; i < reps / 10; i++) f();
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) f();
      best[name] = Math.min(best[name], ((performance.now() - t0) * 1000) / reps); // µs
    }
  }
  log(`  ${SUITE}: 100-position derive-33 margin ${best.figure.toFixed(1)} µs (3,400 options: greeks ${best.greeks.toFixed(1)} µs, price-only in place ${best.priceOnly.toFixed(1)} µs); one resized ${best.resized.toFixed(1)} µs, one added ${best.added.toFixed(1)} µs`);
  const perSecond = (us: number) => 1e6 / us;
  const baseline = "pricing 3,400 options alone";
  rows.push(
    { suite: SUITE, name: baseline, opsPerSecond: perSecond(best.greeks), nsPerOp: best.greeks * 1000, unit: "account", baseline, note: `${best.greeks.toFixed(1)} µs per batch (pricer.blackScholes: greeks, copied columns)` },
    { suite: SUITE, name: "price-only kernel, 3,400 options in place", opsPerSecond: perSecond(best.priceOnly), nsPerOp: best.priceOnly * 1000, unit: "account", baseline, note: `${best.priceOnly.toFixed(1)} µs per batch (columns filled in place, prices alone)` },
    { suite: SUITE, name: "margin: 100 positions × derive-33", opsPerSecond: perSecond(best.figure), nsPerOp: best.figure * 1000, unit: "account", baseline, note: `${best.figure.toFixed(1)} µs per account, a new spot each call (target ≤ 100 µs)` },
    { suite: SUITE, name: "margin after one position resized", opsPerSecond: perSecond(best.resized), nsPerOp: best.resized * 1000, unit: "account", baseline, note: `${best.resized.toFixed(1)} µs per account (same market: nothing repriced)` },
    { suite: SUITE, name: "margin with one new series", opsPerSecond: perSecond(best.added), nsPerOp: best.added * 1000, unit: "account", baseline, note: `${best.added.toFixed(1)} µs per account (same market: its 33 options priced)` },
  );
  return rows;
}

/** The Monte Carlo ES of 1,000 positions: on this thread, on 2 workers through blackScholes, and price-only. */
async function esRows(pricer: Pricer, options: SuiteOptions, log: (line: string) => void): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const n = options.quick ? 200 : 1000;
  const paths = options.quick ? 2_000 : 10_000;
  const preset = monteCarloEs({ paths });
  const big = benchPositions(n);
  const workers = await createPricingPool({ workers: 2, module: pricer.core.module });
  try {
    const runs = options.quick ? 1 : 3;
    // The pool as a plain pricer: the ES then prices through blackScholes (all six greeks, copied columns).
    const viaGreeks = { blackScholes: (b: OptionBatch) => workers.blackScholes(b), module: workers.module };
    const engines = [["ES on this thread", pricer], ["ES on 2 workers, through blackScholes", viaGreeks], ["ES on 2 workers", workers]] as const;
    const fastest = engines.map(() => Infinity);
    const es = engines.map(() => 0);
    for (let r = 0; r < runs; r++) {
      for (const [k, [, engine]] of engines.entries()) {
        const t0 = performance.now();
        es[k] = (await esCosts(big, market, preset, scales, engine)).costs[0]!;
        fastest[k] = Math.min(fastest[k]!, performance.now() - t0);
      }
    }
    for (const [k, [name]] of engines.entries()) {
      log(`  ${SUITE}: ${name}: ${fastest[k]!.toFixed(0)} ms`);
      const valuations = n * paths;
      rows.push({
        suite: SUITE, name, opsPerSecond: (valuations / fastest[k]!) * 1000, nsPerOp: (fastest[k]! * 1e6) / valuations, unit: "valuation", baseline: "ES on this thread",
        note: `${paths.toLocaleString("en")} paths × ${n} positions in ${(fastest[k]! / 1000).toFixed(3)} s (target ≤ 1 s on 2 workers); ES ${(es[k]! / 1e6).toFixed(0)} USDC`,
      });
    }
  } finally {
    await workers.close();
  }
  return rows;
}

export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const pricer = await createPricer();
  return [...marginRows(pricer, options, log), ...(await esRows(pricer, options, log))];
}
