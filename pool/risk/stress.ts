// Stress grid: the whole book repriced under spot × vol scenarios, as in the portfolio-margin grids of
// derivatives venues (spot moves of ±20 % with vol up / flat / down; vol shocks larger for short expiries).
// Surface scenarios move the smile itself: a parallel shift, a change of skew (vol per unit of log-moneyness
// k = ln(K/F)) and a twist of the term structure (vol per e-fold of expiry around the reference tenor).
// One pricer batch covers the base case and every scenario.
import type { Greeks } from "../../bindings/types.js";
import type { SyncPricer } from "../option-pool.js";
import { logMoneyness } from "../smile.js";
import {
  asBatch, batchColumns, floorVol, hedgeValueAt, liabilityAt, sharePriceOf,
  type AnyPricer, type PreparedBook, type ScenarioLiability,
} from "./valuation.js";

/** A market scenario. */
export interface StressScenario {
  name: string;
  /** Spot multiplier (0.8 = spot down 20 %). */
  spotFactor: number;
  /** Relative vol shock at the reference tenor (+0.25 = vol × 1.25); scaled by time to expiry (see StressOptions). */
  volShock: number;
  /** Parallel shift of every vol, absolute (0.05 = +5 vol points), after the relative shock. Default 0. */
  volShift?: number;
  /** Skew change: vol added per unit of k = ln(K/F) (−0.2 raises a 0.5-log-moneyness-OTM put 10 vol points and lowers the call side). Default 0. */
  skewChange?: number;
  /** Term-structure twist: vol added per unit of ln(years / referenceYears) (+: long expiries up, short ones down). Default 0. */
  termTwist?: number;
}

/** How vol shocks scale with time to expiry: shock × min(maxVolScale, √(referenceYears / years)). */
export interface StressOptions {
  /** Tenor at which a shock applies as given, years. Default 30 days. */
  referenceYears: number;
  /** Largest multiplier of the shock (short expiries). Default 2. */
  maxVolScale: number;
}

export const DEFAULT_STRESS_OPTIONS: Readonly<StressOptions> = Object.freeze({ referenceYears: 30 / 365, maxVolScale: 2 });

/**
 * The default 23 scenarios: spot × {0.80, 0.90, 0.95, 1, 1.05, 1.10, 1.20} with vol up 25 % / flat / down 25 %
 * (21), a crash (spot × 0.5, vol up 50 %) and a squeeze (spot × 1.5, vol up 50 %).
 */
export function defaultStressScenarios(): StressScenario[] {
  const out: StressScenario[] = [];
  for (const f of [0.8, 0.9, 0.95, 1, 1.05, 1.1, 1.2]) {
    for (const [label, shock] of [["vol up", 0.25], ["vol flat", 0], ["vol down", -0.25]] as const) {
      out.push({ name: `spot ${Math.round((f - 1) * 100)}% ${label}`, spotFactor: f, volShock: shock });
    }
  }
  out.push({ name: "crash: spot -50% vol up 50%", spotFactor: 0.5, volShock: 0.5 });
  out.push({ name: "squeeze: spot +50% vol up 50%", spotFactor: 1.5, volShock: 0.5 });
  return out;
}

/**
 * The default surface scenarios (pass them with the grid: `[...defaultStressScenarios(), ...surfaceStressScenarios()]`):
 * parallel shifts of ±5 vol points, skew steepening and flattening by 0.2 vol per unit of k, twists of ±0.03 vol
 * per e-fold of expiry, and a sell-off (spot −20 %, vol +25 %) with the skew steepening.
 */
export function surfaceStressScenarios(): StressScenario[] {
  const at = (name: string, move: Partial<StressScenario>): StressScenario => ({ name: `surface: ${name}`, spotFactor: 1, volShock: 0, ...move });
  return [
    at("parallel +5 vol pts", { volShift: 0.05 }),
    at("parallel -5 vol pts", { volShift: -0.05 }),
    at("skew steepens", { skewChange: -0.2 }),
    at("skew flattens", { skewChange: 0.2 }),
    at("term twist: short up", { termTwist: -0.03 }),
    at("term twist: long up", { termTwist: 0.03 }),
    at("sell-off: spot -20% vol up 25% skew steepens", { spotFactor: 0.8, volShock: 0.25, skewChange: -0.2 }),
  ];
}

/**
 * Vol under a scenario's surface moves: vol + volShift + skewChange · k + termTwist · ln(years / referenceYears),
 * floored; `vol` itself when the scenario moves no surface (the grid's bits are unchanged).
 */
export function surfaceMovedVol(vol: number, k: number, years: number, scenario: StressScenario, options: StressOptions = DEFAULT_STRESS_OPTIONS): number {
  const { volShift = 0, skewChange = 0, termTwist = 0 } = scenario;
  if (volShift === 0 && skewChange === 0 && termTwist === 0) return vol;
  return floorVol(vol + volShift + skewChange * k + termTwist * Math.log(Math.max(years, 1e-9) / options.referenceYears));
}

/** Vol of a series under a shock: vol × (1 + shock × min(maxVolScale, √(referenceYears / years))), floored. */
export function shockedVol(vol: number, years: number, shock: number, options: StressOptions = DEFAULT_STRESS_OPTIONS): number {
  if (shock === 0) return vol;
  const scale = Math.min(options.maxVolScale, Math.sqrt(options.referenceYears / Math.max(years, 1e-9)));
  return floorVol(vol * (1 + shock * scale));
}

/** One scenario's outcome (amounts in collateral base units, as floats). */
export interface StressResult {
  scenario: StressScenario;
  spot: number;
  /** NAV = free + locked − liability (capped at collateral per series) + the hedge's value at the scenario's spot. */
  nav: number;
  navChange: number;
  sharePrice: number;
  /** Relative share-price change (−0.1 = −10 %). */
  sharePriceChange: number;
  /** Mark-to-market of the short options without the collateral cap: the worst-case payout. */
  worstCasePayout: number;
  /** (free + locked + hedge value) / worst-case payout (Infinity with nothing to pay). */
  solvency: number;
}

/** Outcome of a stress run. */
export interface StressReport {
  baseNav: number;
  baseSharePrice: number;
  results: StressResult[];
  /** The scenario with the lowest NAV. */
  worst: StressResult;
  /** Lowest solvency over the scenarios (and the base case). */
  minSolvency: number;
}

function buildBatch(book: PreparedBook, scenarios: readonly StressScenario[], options: StressOptions) {
  const n = book.n;
  const c = batchColumns(n * (scenarios.length + 1));
  for (let k = 0; k <= scenarios.length; k++) {
    const sc = k === 0 ? undefined : scenarios[k - 1]!;
    const spot = book.spot * (sc?.spotFactor ?? 1);
    for (let i = 0; i < n; i++) {
      const j = k * n + i;
      c.type[j] = book.type[i]!;
      c.spot[j] = spot;
      c.strike[j] = book.strike[i]!;
      c.expiry[j] = book.years[i]!;
      if (!sc) c.vol[j] = book.vol[i]!;
      else {
        const k = logMoneyness((book.volStrike ?? book.strike)[i]!, book.spot, book.years[i]!, book.rate - book.dividend);
        c.vol[j] = surfaceMovedVol(shockedVol(book.vol[i]!, book.years[i]!, sc.volShock, options), k, book.years[i]!, sc, options);
      }
    }
  }
  return asBatch(book, c);
}

function report(book: PreparedBook, scenarios: readonly StressScenario[], prices: Float64Array): StressReport {
  // The hedge is revalued with spot like the options; the collateral (free + locked) is not.
  const assetsAt = (spot: number) => book.free + book.lockedTotal + hedgeValueAt(book, spot);
  const liability: ScenarioLiability = { capped: 0, uncapped: 0 };
  liabilityAt(book, book.spot, prices, 0, liability);
  const baseNav = assetsAt(book.spot) - liability.capped;
  const baseSharePrice = sharePriceOf(book, baseNav);
  let minSolvency = liability.uncapped > 0 ? assetsAt(book.spot) / liability.uncapped : Infinity;
  const results = scenarios.map((scenario, k) => {
    const spot = book.spot * scenario.spotFactor;
    const assets = assetsAt(spot);
    liabilityAt(book, spot, prices, (k + 1) * book.n, liability);
    const nav = assets - liability.capped;
    const sharePrice = sharePriceOf(book, nav);
    const solvency = liability.uncapped > 0 ? assets / liability.uncapped : Infinity;
    minSolvency = Math.min(minSolvency, solvency);
    return { scenario, spot, nav, navChange: nav - baseNav, sharePrice, sharePriceChange: sharePrice / baseSharePrice - 1, worstCasePayout: liability.uncapped, solvency };
  });
  const worst = results.reduce((a, b) => (b.nav < a.nav ? b : a), results[0]!);
  return { baseNav, baseSharePrice, results, worst, minSolvency };
}

function checkScenarios(scenarios: readonly StressScenario[]): void {
  if (scenarios.length === 0) throw new RangeError("stressTest: at least one scenario");
  scenarios.forEach((s, i) => {
    if (!(Number.isFinite(s.spotFactor) && s.spotFactor > 0)) throw new RangeError(`stressTest: scenarios[${i}].spotFactor must be > 0`);
    if (!(Number.isFinite(s.volShock) && s.volShock > -1)) throw new RangeError(`stressTest: scenarios[${i}].volShock must be > -1`);
    for (const field of ["volShift", "skewChange", "termTwist"] as const) {
      if (s[field] !== undefined && !Number.isFinite(s[field])) throw new RangeError(`stressTest: scenarios[${i}].${field} must be finite`);
    }
  });
}

/** Stress test with a synchronous pricer (one batch of (scenarios + 1) × series options). */
export function stressTestSync(book: PreparedBook, pricer: SyncPricer, scenarios: readonly StressScenario[] = defaultStressScenarios(), options: StressOptions = DEFAULT_STRESS_OPTIONS): StressReport {
  checkScenarios(scenarios);
  const prices = book.n > 0 ? pricer.blackScholes(buildBatch(book, scenarios, options)).price : new Float64Array(0);
  return report(book, scenarios, prices);
}

/** Stress test with any pricer, e.g. the worker pool. */
export async function stressTest(book: PreparedBook, pricer: AnyPricer, scenarios: readonly StressScenario[] = defaultStressScenarios(), options: StressOptions = DEFAULT_STRESS_OPTIONS): Promise<StressReport> {
  checkScenarios(scenarios);
  const prices = book.n > 0 ? ((await pricer.blackScholes(buildBatch(book, scenarios, options))) as Greeks).price : new Float64Array(0);
  return report(book, scenarios, prices);
}
