// Portfolio margin: scenario presets against hand-computed Black-Scholes scenario values, the hedge benefit of a
// put spread, the invariants of a worst-case measure (fast-check), the Monte Carlo ES against an independent
// recomputation and a quadrature, and the errors of bad input.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer, type OptionBatch, type Pricer } from "../bindings/index.js";
import { PoolError } from "../pool/index.js";
import {
  derive33, deribit35, esCosts, MarginCalculator, monteCarloEs, scenarioVol, span16, type MarginMarket, type MarginPosition, type MarginScenario,
  type ScenarioPreset,
} from "../pool/margin/index.js";
import { scenarioVolFrom, seriesShockTerms } from "../pool/margin/scenarios.js";
import { pathNormals } from "../pool/risk/normals.js";
import { createPricingPool, type PricingPool } from "../workers/pool.js";
import { bsm, normCdf } from "./support/black-scholes.js";

const T0 = 1_767_225_600;
const DAY = 86_400;
const YEAR = 365 * DAY;
const scales = { decimals: 6, sizeDecimals: 2 };
const CONTRACT = 100n; // size units per contract
let pricer: Pricer;
/** A pricer of its own core: computing with it leaves `pricer`'s scratch memory as it is. */
let apart: Pricer;
let workers: PricingPool;

beforeAll(async () => {
  pricer = await createPricer();
  apart = await createPricer();
  workers = await createPricingPool({ workers: 2, module: pricer.core.module });
});
afterAll(async () => {
  await workers?.close();
});

const SPOT = 2000;
const flatVol = (v: number) => (): number => v;
const market = (vol: (k: number, t: number) => number = flatVol(0.6)): MarginMarket => ({ spot: SPOT, rate: 0.03, now: T0, vol });
const put = (strike: number, days: number, size: bigint): MarginPosition => ({ series: { type: "put", strike, expiry: T0 + days * DAY }, size });
const call = (strike: number, days: number, size: bigint): MarginPosition => ({ series: { type: "call", strike, expiry: T0 + days * DAY }, size });

/** The scenario rule written out again: vol × (1 + shock · min(2, √((30/365)/T))), floored at 0.01, then the skew tilt. */
function handVol(sc: MarginScenario, vol: number, strike: number, years: number): number {
  const shocked = sc.volShock === 0 ? vol : Math.max(0.01, vol * (1 + sc.volShock * Math.min(2, Math.sqrt(30 / 365 / years))));
  return sc.skew ? Math.max(0.01, shocked + sc.skew * Math.log(strike / SPOT)) : shocked;
}

/** Maintenance margin by hand (float base units): max(0, −V0, max_s −(1−w)V0 − w·V_s), V in USDC base units. */
function handMaintenance(positions: MarginPosition[], preset: ScenarioPreset, m: MarginMarket): number {
  const value = (spotFactor: number, sc?: MarginScenario) =>
    positions.reduce((v, p) => {
      const years = (p.series.expiry - T0) / YEAR;
      const vol0 = m.vol(p.series.strike, years);
      const vol = sc ? handVol(sc, vol0, p.series.strike, years) : vol0;
      return v + (Number(p.size) / 100) * 1e6 * bsm(p.series.type, SPOT * spotFactor, p.series.strike, years, vol, m.rate);
    }, 0);
  const v0 = value(1);
  let worst = Math.max(0, -v0);
  for (const sc of preset.scenarios) worst = Math.max(worst, -(1 - (sc.weight ?? 1)) * v0 - (sc.weight ?? 1) * value(sc.spotFactor, sc));
  return worst;
}

describe("scenario margin against hand-computed Black-Scholes scenario values", () => {
  // Tolerance: the engine rounds its float figure up after a slack of ~1e-12 relative, and the WASM prices agree with
  // the closed form to ~1e-12 relative: on figures of ≤ 1e10 base units that is within 2 units.
  const cases: [string, () => ScenarioPreset, MarginPosition[]][] = [
    ["one short put, derive-33", derive33, [put(1800, 30, -CONTRACT)]],
    ["short strangle + long wing, span-16", () => span16(), [put(1800, 14, -3n * CONTRACT), call(2300, 14, -2n * CONTRACT), put(1500, 14, CONTRACT)]],
    ["calendar of calls, deribit-35", deribit35, [call(2100, 7, -5n * CONTRACT), call(2100, 60, 5n * CONTRACT)]],
    ["skewed surface, derive-33 (skew shocks bind)", derive33, [put(1500, 90, -10n * CONTRACT), put(2500, 90, 10n * CONTRACT)]],
  ];
  for (const [name, make, positions] of cases) {
    it(name, () => {
      const preset = make();
      const m = market((k) => 0.6 - 0.1 * Math.log(k / SPOT));
      const calc = new MarginCalculator(pricer, { scales, preset, initialFactor: 1.5 });
      const f = calc.figures(positions, m);
      const expected = handMaintenance(positions, preset, m);
      expect(Math.abs(Number(f.maintenance) - expected)).toBeLessThanOrEqual(2);
      expect(f.maintenance).toBeGreaterThanOrEqual(BigInt(Math.floor(expected)));
      expect(f.initial).toBe((f.maintenance * 3n + 1n) / 2n);
    });
  }

  it("a put spread needs less margin than its short leg, and less than its legs' margins summed", () => {
    const calc = new MarginCalculator(pricer, { scales, preset: derive33() });
    const m = market();
    const short = put(1900, 30, -10n * CONTRACT);
    const long = put(1700, 30, 10n * CONTRACT);
    const spread = calc.figures([short, long], m).maintenance;
    const legs = calc.figures([short], m).maintenance + calc.figures([long], m).maintenance;
    expect(spread).toBeLessThan(calc.figures([short], m).maintenance);
    expect(spread).toBeLessThan(legs);
    // A spread can never lose more than its width: 200 USDC × 10 contracts.
    expect(spread).toBeLessThanOrEqual(200n * 10n * 1_000_000n);
  });

  it("an empty account and an account of longs need no margin", () => {
    const calc = new MarginCalculator(pricer, { scales, preset: derive33() });
    expect(calc.figures([], market())).toEqual({ mark: 0n, maintenance: 0n, initial: 0n, worst: "none" });
    expect(calc.figures([put(1800, 30, CONTRACT), call(2200, 30, CONTRACT)], market()).maintenance).toBe(0n);
  });
});

describe("invariants of the margin (fast-check)", () => {
  const position = fc.record({
    type: fc.constantFrom("call" as const, "put" as const),
    strike: fc.integer({ min: 10, max: 40 }).map((k) => k * 100),
    days: fc.integer({ min: 1, max: 180 }),
    size: fc.bigInt({ min: -500n, max: 500n }).filter((s) => s !== 0n),
  }).map((p): MarginPosition => ({ series: { type: p.type, strike: p.strike, expiry: T0 + p.days * DAY }, size: p.size }));
  const presets = [derive33(), span16(), deribit35()];

  it("adding a short never lowers the maintenance margin; adding a long never raises it", () => {
    fc.assert(fc.property(fc.array(position, { maxLength: 8 }), position, fc.integer({ min: 0, max: 2 }), (book, extra, k) => {
      const calc = new MarginCalculator(pricer, { scales, preset: presets[k]! });
      const before = calc.figures(book, market()).maintenance;
      const short = calc.figures([...book, { ...extra, size: -(extra.size < 0n ? -extra.size : extra.size) }], market()).maintenance;
      const long = calc.figures([...book, { ...extra, size: extra.size < 0n ? -extra.size : extra.size }], market()).maintenance;
      // One unit of rounding either way (each figure is rounded up from its own float sum).
      expect(short + 1n).toBeGreaterThanOrEqual(before);
      expect(long).toBeLessThanOrEqual(before + 1n);
    }), { numRuns: 150 });
  });

  it("scales with the positions (λ·P needs λ times the margin, within λ + 1 units of rounding) and is subadditive", () => {
    fc.assert(fc.property(fc.array(position, { minLength: 1, maxLength: 6 }), fc.array(position, { maxLength: 6 }), fc.integer({ min: 2, max: 50 }), (p, q, lambda) => {
      const calc = new MarginCalculator(pricer, { scales, preset: derive33() });
      const m = market();
      const one = calc.figures(p, m).maintenance;
      const scaled = calc.figures(p.map((x) => ({ ...x, size: x.size * BigInt(lambda) })), m).maintenance;
      const diff = scaled - one * BigInt(lambda);
      expect(diff <= BigInt(lambda) + 1n && diff >= -BigInt(lambda) - 1n).toBe(true);
      expect(calc.figures([...p, ...q], m).maintenance).toBeLessThanOrEqual(one + calc.figures(q, m).maintenance + 1n);
    }), { numRuns: 100 });
  });
});

/** A random position: a call or put, strikes 500–6,000, expiries from 2 days past to 400 days out, sizes ±900. */
const widePosition = fc.record({
  type: fc.constantFrom("call" as const, "put" as const),
  strike: fc.integer({ min: 5, max: 60 }).map((k) => k * 100),
  hours: fc.integer({ min: -48, max: 24 * 400 }),
  size: fc.bigInt({ min: -900n, max: 900n }).filter((s) => s !== 0n),
}).map((p): MarginPosition => ({ series: { type: p.type, strike: p.strike, expiry: T0 + p.hours * 3600 }, size: p.size }));

describe("the in-place price-only path", () => {
  it("gives the same scenario costs, bit for bit, as the pricer's blackScholes batch (random books, presets, skewed vols)", () => {
    // A pricer without its core: the calculator then prices through blackScholes (greeks kernel, copied columns).
    const viaBatch = { blackScholes: pricer.blackScholes.bind(pricer) };
    const presets = [derive33(), span16(), deribit35()];
    fc.assert(fc.property(fc.array(widePosition, { maxLength: 40 }), fc.integer({ min: 0, max: 2 }), fc.double({ min: -0.3, max: 0.3, noNaN: true }), (book, k, slope) => {
      const m = market((strike, years) => Math.max(0.05, 0.6 + slope * Math.log(strike / SPOT) + 0.1 * years));
      const fast = new MarginCalculator(pricer, { scales, preset: presets[k]! }).costs(book, m);
      const slow = new MarginCalculator(viaBatch, { scales, preset: presets[k]! }).costs(book, m);
      expect(Object.is(fast.mark, slow.mark)).toBe(true);
      expect(Array.from(fast.costs)).toEqual(Array.from(slow.costs));
    }), { numRuns: 150 });
  });

  it("a kept grid repriced at new spots, its batch left in place between calls, gives the costs of a fresh computation", () => {
    // Only spot moves: every series is repriced from the batch the previous call left (spot, skewed vols rewritten),
    // then a changed series, a rate and another scratch user in between, each against a fresh calculator.
    const vol = (k: number, t: number) => 0.6 - 0.1 * Math.log(k / SPOT) + 0.05 * t;
    const book = [put(1500, 3, 200n), call(2200, 10, -150n), put(1900, 40, -300n), call(2600, 120, 100n), put(2400, 300, 50n)];
    const viaBatch = { blackScholes: apart.blackScholes.bind(apart) };
    for (const preset of [derive33(), span16(), deribit35()]) {
      const kept = new MarginCalculator(pricer, { scales, preset });
      let m: MarginMarket = { ...market(vol) };
      for (const step of ["spot", "spot", "series", "spot", "rate", "scratch", "spot"] as const) {
        m = { ...m, spot: m.spot * 1.013 };
        if (step === "rate") m = { ...m, rate: 0.05 };
        if (step === "series") book[2] = put(1850, 40, -300n);
        if (step === "scratch") pricer.blackScholes({ type: "call", spot: 100, strike: new Float64Array(2000).fill(90), expiry: 1, vol: 0.3, rate: 0 });
        const fast = kept.costs(book, m);
        const slow = new MarginCalculator(viaBatch, { scales, preset }).costs(book, m);
        expect(Object.is(fast.mark, slow.mark)).toBe(true);
        expect(Array.from(fast.costs)).toEqual(Array.from(slow.costs));
      }
    }
  });

  it("a calculator kept across calls (its grid reprices only changed series) gives the costs of a fresh computation, bit for bit", () => {
    // Each step changes what a grid kept from the previous call must notice: a size, a series added, removed or
    // replaced, the vols a same vol function returns, spot, rate, time, another account, a call that fails, and
    // another user of the core's scratch memory (where the grid leaves its batch between calls).
    const step = fc.oneof(
      fc.record({ kind: fc.constant("resize" as const), at: fc.nat(), size: fc.bigInt({ min: -900n, max: 900n }).filter((s) => s !== 0n) }),
      fc.record({ kind: fc.constant("append" as const), p: widePosition }),
      fc.record({ kind: fc.constant("remove" as const), at: fc.nat() }),
      fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), p: widePosition }),
      fc.record({ kind: fc.constant("scratch" as const), x: fc.double({ min: -0.3, max: 0.3, noNaN: true }) }),
      fc.record({ kind: fc.constantFrom("slope" as const, "spot" as const, "rate" as const, "time" as const, "other" as const, "fail" as const, "same" as const), x: fc.double({ min: -0.3, max: 0.3, noNaN: true }) }),
    );
    const viaBatch = { blackScholes: apart.blackScholes.bind(apart) };
    fc.assert(fc.property(fc.array(widePosition, { minLength: 1, maxLength: 30 }), fc.array(step, { maxLength: 12 }), fc.integer({ min: 0, max: 2 }), (start, steps, k) => {
      const preset = [derive33(), span16(), deribit35()][k]!;
      const kept = new MarginCalculator(pricer, { scales, preset });
      let book = [...start];
      let slope = 0.1;
      const vol = (strike: number, years: number) => Math.max(0.05, 0.6 + slope * Math.log(strike / SPOT) + 0.1 * years);
      let m: MarginMarket = { ...market(), vol };
      for (const s of [{ kind: "same" as const, x: 0 }, ...steps]) {
        const at = "at" in s ? s.at % Math.max(1, book.length) : 0;
        if (s.kind === "resize" && book.length) book[at] = { ...book[at]!, size: s.size };
        if (s.kind === "append") book = [...book, s.p];
        if (s.kind === "remove") book = book.filter((_, i) => i !== at);
        if (s.kind === "replace" && book.length) book[at] = s.p;
        if (s.kind === "slope") slope = s.x; // the same function object now returns other vols
        if (s.kind === "spot") m = { ...m, spot: SPOT * (1 + s.x) };
        if (s.kind === "rate") m = { ...m, rate: s.x / 10 };
        if (s.kind === "time") m = { ...m, now: m.now + Math.round(s.x * 1e6) };
        if (s.kind === "other") kept.costs([put(1500, 20, 5n), call(2500, 60, -5n)], { ...m, spot: 1900 });
        if (s.kind === "scratch") {
          // Calls at other inputs fill the scratch the grid's batch sits in; a new spot then reprices every series.
          pricer.blackScholes({ type: new Int8Array(3000).fill(1), spot: 1000, strike: new Float64Array(3000).fill(1500), expiry: new Float64Array(3000).fill(2), vol: new Float64Array(3000).fill(0.9), rate: 0.1 });
          m = { ...m, spot: SPOT * (1 + s.x) };
        }
        if (s.kind === "fail") expect(() => kept.costs([...book, put(1500, 20, 5n)], { ...m, vol: () => Number.NaN })).toThrow();
        const fast = kept.costs(book, m);
        const slow = new MarginCalculator(viaBatch, { scales, preset }).costs(book, m);
        expect(Object.is(fast.mark, slow.mark)).toBe(true);
        expect(Array.from(fast.costs)).toEqual(Array.from(slow.costs));
      }
    }), { numRuns: 100 });
  });

  it("scenarioVolFrom on seriesShockTerms is scenarioVol bit for bit", () => {
    const stress = derive33().stress;
    const terms = new Float64Array(2);
    fc.assert(fc.property(
      fc.double({ min: -0.9, max: 2, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: 0.001, max: 3, noNaN: true }),
      fc.double({ min: 1, max: 1e5, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 1, max: 1e5, noNaN: true }),
      (volShock, skew, vol, strike, years, spot) => {
        const sc = { name: "s", spotFactor: 1, volShock, skew };
        seriesShockTerms(strike, years, spot, stress, terms, 0);
        expect(Object.is(scenarioVolFrom(volShock, skew, vol, terms[0]!, terms[1]!), scenarioVol(sc, vol, strike, years, spot, stress))).toBe(true);
      },
    ), { numRuns: 2000 });
  });
});

describe("Monte Carlo expected shortfall", () => {
  const book = [put(1800, 30, -10n * CONTRACT), call(2300, 45, -4n * CONTRACT), put(1600, 30, 5n * CONTRACT)];

  it("equals an independent recomputation from the same Philox normals with the closed form (1e-9 relative)", () => {
    const preset = monteCarloEs({ paths: 4_000, seed: 7 });
    const f = new MarginCalculator(pricer, { scales, preset }).figures(book, market());
    const z = pathNormals(pricer.core, 7, 4_000);
    const h = 1 / 365;
    const costs: number[] = [];
    for (let p = 0; p < 4_000; p++) {
      const s = SPOT * Math.exp(-0.5 * 0.36 * h + 0.6 * Math.sqrt(h) * z[2 * p]!);
      const vf = Math.exp(-0.5 * 2.25 * h + 1.5 * Math.sqrt(h) * (-0.5 * z[2 * p]! + Math.sqrt(0.75) * z[2 * p + 1]!));
      costs.push(-book.reduce((v, x) => v + (Number(x.size) / 100) * 1e6 * bsm(x.series.type, s, x.series.strike, (x.series.expiry - T0) / YEAR - h, 0.6 * vf, 0.03), 0));
    }
    costs.sort((a, b) => b - a);
    const tail = costs.slice(0, 100);
    const es = tail.reduce((a, b) => a + b, 0) / tail.length;
    expect(Math.abs(Number(f.maintenance) - es) / es).toBeLessThan(1e-9);
    expect(f.worst).toBe("expected shortfall");
  });

  it("matches the quadrature of a one-put ES without vol-of-vol within 3 % at 40,000 paths", () => {
    // Tail of 1,000 paths: relative standard error of the tail mean ≈ 0.5 % here, so 3 % is > 5 standard errors.
    const preset = monteCarloEs({ paths: 40_000, volOfVol: 0, horizonDays: 5 });
    const f = new MarginCalculator(pricer, { scales, preset }).figures([put(1900, 30, -CONTRACT)], market());
    const h = 5 / 365;
    const cost = (z: number) => 1e6 * bsm("put", SPOT * Math.exp(-0.18 * h + 0.6 * Math.sqrt(h) * z), 1900, 30 / 365 - h, 0.6, 0.03);
    const zq = -1.959963984540054; // 2.5 % quantile
    let integral = 0;
    const steps = 20_000;
    const lo = -9;
    const dz = (zq - lo) / steps;
    for (let i = 0; i < steps; i++) {
      const z = lo + (i + 0.5) * dz;
      integral += cost(z) * Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) * dz;
    }
    const es = integral / normCdf(zq);
    expect(Math.abs(Number(f.maintenance) / es - 1)).toBeLessThan(0.03);
  });

  it("is bit-identical on 2 workers and on this thread", async () => {
    const preset = monteCarloEs({ paths: 3_000, seed: 3 });
    const calc = new MarginCalculator(pricer, { scales, preset });
    const here = calc.costs(book, market());
    const there = await esCosts(book, market(), preset, scales, workers);
    expect(there.costs[0]).toBe(here.costs[0]);
    expect(calc.figuresOf(there)).toEqual(calc.figuresOf(here));
  });

  it("is bit-identical on this thread, on pool batches, on transferred buffers and through blackScholes, over many blocks and a short last one", async () => {
    // 101 series (an odd block size) of which some expire inside the horizon; 65,536 / 101 = 648 paths a block, so
    // 2,000 paths are three full blocks and one of 56 paths, with two of them in flight at once.
    const wide = Array.from({ length: 101 }, (_, i) => (i % 2 ? put : call)(1500 + 10 * i, i % 7 === 0 ? 0.5 : 3 + (i % 40), BigInt((i % 3) - 1) * CONTRACT + 1n));
    const preset = monteCarloEs({ paths: 2_000, seed: 5 });
    const here = new MarginCalculator(pricer, { scales, preset }).costs(wide, market());
    const transfer = await createPricingPool({ workers: 2, module: pricer.core.module, sharedMemory: false });
    try {
      const generic = { blackScholes: (b: OptionBatch) => workers.blackScholes(b), module: workers.module };
      for (const engine of [workers, transfer, generic]) {
        const there = await esCosts(wide, market(), preset, scales, engine, 2);
        expect(there.costs[0]).toBe(here.costs[0]);
        expect(there.mark).toBe(here.mark);
      }
    } finally {
      await transfer.close();
    }
  });
});

describe("bad input", () => {
  it("names the field and element", () => {
    const calc = new MarginCalculator(pricer, { scales });
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(PoolError);
        return (e as PoolError).field;
      }
      throw new Error("did not throw");
    };
    expect(err(() => calc.figures([], { ...market(), spot: Number.NaN }))).toBe("market.spot");
    expect(err(() => new MarginCalculator(pricer, { scales, preset: { ...derive33(), scenarios: [{ name: "x", spotFactor: 1, volShock: 0, weight: 2 }] } }))).toBe("preset.scenarios[0].weight");
    expect(err(() => new MarginCalculator(pricer, { scales, initialFactor: 0.5 }))).toBe("initialFactor");
    expect(err(() => monteCarloEs({ paths: 10 }))).toBe("preset.paths");
  });
});
