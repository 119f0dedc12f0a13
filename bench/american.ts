// Suite "american": pricer.american (fast and accurate, SIMD and scalar builds) on the spot-100 grid of issue 22's
// targets, against option-pricing's binomial tree (the American pricer npm offers), measured in the same run. Each
// row's note carries its error against the QuantLib references of test/fixtures/american-golden.json when the
// checkout has them; the QuantLib rows are the C++ times recorded by test/fixtures/make-american-golden.py when it
// made those references (same grid, one NPV call an option), not measured in this run: the note says where and when.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Option } from "option-pricing";
import { createPricer } from "../bindings/pricer.js";
import type { AmericanAccuracy } from "../bindings/american.js";
import type { OptionBatch } from "../bindings/types.js";
import { measureBatches, samplingBudget, type BatchTask } from "./measure.js";
import type { BenchRow, SuiteOptions } from "./types.js";

const SUITE = "american";
const BASELINE = "option-pricing binomial";

/** The grid of the issue's targets (test/bindings/american.test.ts checks it is the fixture's): expiry = days/365. */
export const AMERICAN_GRID = {
  spot: 100, strike: [70, 80, 90, 100, 110, 120, 130], days: [7, 30, 91, 182, 365, 730], vol: [0.1, 0.2, 0.35, 0.5, 0.8, 1.2],
  rate: [0, 0.02, 0.05, 0.1], dividend: [0, 0.02, 0.04, 0.08], type: [1, -1],
} as const;

/** The grid as columns, in the fixture's order (type, strike, days, vol, rate, dividend; the last fastest). */
export function americanGridBatch(): OptionBatch & { type: Int8Array; spot: Float64Array; strike: Float64Array; expiry: Float64Array; vol: Float64Array; rate: Float64Array; dividend: Float64Array } {
  const g = AMERICAN_GRID;
  const n = g.type.length * g.strike.length * g.days.length * g.vol.length * g.rate.length * g.dividend.length;
  const batch = {
    type: new Int8Array(n), spot: new Float64Array(n).fill(g.spot), strike: new Float64Array(n), expiry: new Float64Array(n),
    vol: new Float64Array(n), rate: new Float64Array(n), dividend: new Float64Array(n),
  };
  let i = 0;
  for (const w of g.type) for (const K of g.strike) for (const days of g.days) for (const vol of g.vol) for (const r of g.rate) {
    for (const q of g.dividend) {
      batch.type[i] = w;
      batch.strike[i] = K;
      batch.expiry[i] = days / 365;
      batch.vol[i] = vol;
      batch.rate[i] = r;
      batch.dividend[i++] = q;
    }
  }
  return batch;
}

interface Recorded {
  machine: { cpu: string; cores: number; date: string };
  grid: { reference: number[]; quantlib: Record<"fast" | "accurate", { microsecondsPerOption: number; rms: number; max: number }> };
}

/** The fixture of QuantLib references, found by walking up from this file (a checkout has it; a package does not). */
function recorded(): Recorded | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++, dir = dirname(dir)) {
    const file = join(dir, "test", "fixtures", "american-golden.json");
    if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as Recorded;
  }
  return undefined;
}

/** "RMS 7.3e-5, max 1.4e-3" of `price` against the first `price.length` references (or of a subset by `indices`). */
function errorNote(price: ArrayLike<number>, reference: readonly number[], indices?: readonly number[]): string {
  const at = indices ?? Array.from({ length: price.length }, (_, i) => i);
  let sum = 0;
  let max = 0;
  at.forEach((k, i) => {
    const e = Math.abs(price[i]! - reference[k]!);
    sum += e * e;
    max = Math.max(max, e);
  });
  return `RMS ${Math.sqrt(sum / at.length).toExponential(1)}, max ${max.toExponential(1)}`;
}

let sink = 0;

/** Runs the suite: the whole grid per call (quick: every 5th option); the binomial tree on 8 options (quick: 2). */
export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const budget = samplingBudget(options.quick);
  const full = americanGridBatch();
  // Every 5th option in the quick run: 5 is prime to every axis length, so the subset spans every axis.
  const pickEvery = options.quick ? 5 : 1;
  const indices = Array.from({ length: Math.ceil(full.type.length / pickEvery) }, (_, i) => i * pickEvery);
  const column = <T extends Float64Array | Int8Array>(c: T) => indices.map((i) => c[i]!);
  const batch: OptionBatch = {
    type: Int8Array.from(column(full.type)), spot: full.spot[0]!, strike: column(full.strike), expiry: column(full.expiry),
    vol: column(full.vol), rate: column(full.rate), dividend: column(full.dividend),
  };
  const n = indices.length;
  const fixture = recorded();
  const tasks: BatchTask[] = [];
  for (const simd of [true, false]) {
    const pricer = await createPricer({ simd });
    for (const accuracy of ["fast", "accurate"] as AmericanAccuracy[]) {
      const check = pricer.american(batch, { accuracy }).price;
      tasks.push({
        suite: SUITE, name: `wasm ${simd ? "simd" : "scalar"} ${accuracy}`, units: n, unit: "option", baseline: BASELINE,
        note: `price, delta, gamma, theta${fixture ? `; vs QuantLib references ${errorNote(check, fixture.grid.reference, indices)}` : ""}`,
        run: () => { sink += pricer.american(batch, { accuracy }).price[0]!; },
      });
    }
  }
  // The peer: Cox-Ross-Rubinstein binomial tree, 200 steps, price only (tens of milliseconds an option).
  const peerIndices = Array.from({ length: options.quick ? 2 : 8 }, (_, k) => Math.floor(((k + 0.5) * full.type.length) / (options.quick ? 2 : 8)));
  const peer = peerIndices.map((i) => new Option({
    style: "american", type: full.type[i]! > 0 ? "call" : "put", initialSpotPrice: full.spot[i]!, strikePrice: full.strike[i]!,
    timeToMaturity: full.expiry[i]!, volatility: full.vol[i]!, riskFreeRate: full.rate[i]!, dividendYield: full.dividend[i]!,
  }));
  const peerCheck = peer.map((o) => o.price("bt", { timeSteps: 200 }) as number);
  tasks.push({
    suite: SUITE, name: BASELINE, units: peer.length, unit: "option", baseline: BASELINE,
    note: `CRR tree, 200 steps, price only, ${peer.length} grid options${fixture ? `; ${errorNote(peerCheck, fixture.grid.reference, peerIndices)}` : ""}`,
    run: () => { for (const o of peer) sink += o.price("bt", { timeSteps: 200 }) as number; },
  });
  const rows = await measureBatches(tasks, budget, options.log);
  if (fixture) {
    for (const scheme of ["fast", "accurate"] as const) {
      const q = fixture.grid.quantlib[scheme];
      const nsPerOp = q.microsecondsPerOption * 1000;
      rows.push({
        suite: SUITE, name: `quantlib qdfp ${scheme} (C++, recorded)`, opsPerSecond: 1e9 / nsPerOp, nsPerOp, unit: "option", baseline: BASELINE,
        note: `price only, RMS ${q.rms.toExponential(1)}, max ${q.max.toExponential(1)}; not this run: ${fixture.machine.cpu}, ${fixture.machine.date}`,
      });
    }
  }
  if (!Number.isFinite(sink)) options.log?.(`  ${SUITE}: non-finite checksum ${sink}`);
  return rows;
}
