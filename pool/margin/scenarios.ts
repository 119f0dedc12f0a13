// Scenario presets of portfolio margin: each scenario moves spot by a factor and the vol surface by a relative shock
// (scaled by tenor as in pool/risk/stress.ts), optionally tilts the skew, and weighs the loss it causes. A preset is
// a named list of scenarios; the maintenance margin is the weighted worst loss over them (calculator.ts).
//   derive-33   23 spot × vol moves (spot ±15 % in 7 steps × vol up / flat / down, plus spot ±20 % flat), 8 tail
//               moves (spot −50 … +50 %) whose losses count at weights 0.2–0.5, and 2 skew shocks: the shape of
//               Derive's standard risk model (33 scenarios); the numbers are this project's, not Derive's.
//   span-16     CME SPAN's 16 risk arrays: price moves 0, ±1/3, ±2/3, ±1 of the price scan range (15 %) with the vol
//               scan range (25 % relative) up and down (14), and ±3 ranges at vol flat counted at 35 % (the SPAN
//               extreme-move weight).
//   deribit-35  a Deribit-like grid: spot ±16 % in 9 steps × vol up / flat / down (27), and 8 extended moves
//               (±20 … ±35 %) at vol up, weight 0.5.
import { PoolError } from "../errors.js";
import { floorVol } from "../risk/valuation.js";
import { DEFAULT_STRESS_OPTIONS, shockedVol, type StressOptions } from "../risk/stress.js";

/** One market move of a margin preset. */
export interface MarginScenario {
  name: string;
  /** Spot multiplier (0.85 = spot down 15 %), > 0. */
  spotFactor: number;
  /** Relative vol shock at the reference tenor (+0.25 = vol × 1.25), scaled by tenor as shockedVol; > −1. */
  volShock: number;
  /** Skew tilt after the shock: vol += skew · ln(K / spot now) (negative: puts dearer). Default 0. */
  skew?: number;
  /** Share of this scenario's loss that counts, in (0, 1]. Default 1. */
  weight?: number;
}

/** A named scenario grid. */
export interface ScenarioPreset {
  kind: "scenarios";
  name: string;
  scenarios: readonly MarginScenario[];
  /** How vol shocks scale with tenor. */
  stress: StressOptions;
}

/** A Monte Carlo expected-shortfall preset: spot GBM at the ATM vol, a lognormal vol factor correlated with it. */
export interface MonteCarloPreset {
  kind: "monteCarlo";
  name: string;
  /** Paths (≥ 100). */
  paths: number;
  /** Horizon in days (365-day year), > 0: the time a liquidation takes. */
  horizonDays: number;
  /** ES confidence in (0.5, 1): the mean close-out cost over the worst (1 − confidence) of paths. */
  confidence: number;
  /** Annualised vol of the ATM vol (lognormal), ≥ 0. */
  volOfVol: number;
  /** Correlation of spot and vol shocks in [−1, 1]. */
  spotVolCorrelation: number;
  /** Philox seed (integer in [0, 2^53)). */
  seed: number;
}

/** A margin preset: a scenario grid or a Monte Carlo ES. */
export type MarginPreset = ScenarioPreset | MonteCarloPreset;

const grid = (name: string, scenarios: MarginScenario[]): ScenarioPreset => ({ kind: "scenarios", name, scenarios, stress: { ...DEFAULT_STRESS_OPTIONS } });
const pct = (f: number) => `${f >= 1 ? "+" : ""}${Math.round((f - 1) * 100)}%`;
const VOLS = [["vol up", 0.25], ["vol flat", 0], ["vol down", -0.25]] as const;

function spotByVol(factors: readonly number[], vols: readonly (readonly [string, number])[], weight = 1): MarginScenario[] {
  return factors.flatMap((f) => vols.map(([label, volShock]) => ({ name: `spot ${pct(f)} ${label}`, spotFactor: f, volShock, weight })));
}

/** Derive-like 33 scenarios: 23 spot × vol, 8 weighted tail moves, 2 skew shocks. */
export function derive33(): ScenarioPreset {
  const tails: [number, number][] = [[0.5, 0.2], [0.6, 0.3], [0.7, 0.4], [0.8, 0.5], [1.2, 0.5], [1.3, 0.4], [1.4, 0.3], [1.5, 0.2]];
  return grid("derive-33", [
    ...spotByVol([0.85, 0.9, 0.95, 1, 1.05, 1.1, 1.15], VOLS),
    { name: "spot -20% vol flat", spotFactor: 0.8, volShock: 0 },
    { name: "spot +20% vol flat", spotFactor: 1.2, volShock: 0 },
    ...tails.map(([f, weight]) => ({ name: `tail ${pct(f)} vol up`, spotFactor: f, volShock: 0.5, weight })),
    { name: "skew steepens", spotFactor: 1, volShock: 0, skew: -0.3 },
    { name: "skew flattens", spotFactor: 1, volShock: 0, skew: 0.3 },
  ]);
}

/** CME SPAN's 16 scenarios with a price scan range `priceRange` (0.15 = ±15 %) and vol scan range `volRange` (relative). */
export function span16(priceRange = 0.15, volRange = 0.25): ScenarioPreset {
  const vols = [["vol up", volRange], ["vol down", -volRange]] as const;
  const moves = [0, 1 / 3, -1 / 3, 2 / 3, -2 / 3, 1, -1].map((m) => 1 + m * priceRange);
  return grid("span-16", [
    ...spotByVol(moves, vols),
    { name: `extreme ${pct(1 + 3 * priceRange)}`, spotFactor: 1 + 3 * priceRange, volShock: 0, weight: 0.35 },
    { name: `extreme ${pct(1 - 3 * priceRange)}`, spotFactor: Math.max(0.01, 1 - 3 * priceRange), volShock: 0, weight: 0.35 },
  ]);
}

/** Deribit-like 27 + 8 scenarios. */
export function deribit35(): ScenarioPreset {
  const steps = [-16, -12, -8, -4, 0, 4, 8, 12, 16].map((p) => 1 + p / 100);
  const extended = [-35, -30, -25, -20, 20, 25, 30, 35].map((p) => 1 + p / 100);
  return grid("deribit-35", [...spotByVol(steps, VOLS), ...spotByVol(extended, [["vol up", 0.25]], 0.5)]);
}

/** Monte Carlo ES preset: 10,000 one-day paths at 97.5 % (the OCC / FRTB level), vol-of-vol 1.5, correlation −0.5. */
export function monteCarloEs(options: Partial<Omit<MonteCarloPreset, "kind">> = {}): MonteCarloPreset {
  const p: MonteCarloPreset = {
    kind: "monteCarlo", name: "mc-es", paths: 10_000, horizonDays: 1, confidence: 0.975, volOfVol: 1.5, spotVolCorrelation: -0.5, seed: 1, ...options,
  };
  checkPreset(p);
  return p;
}

/** The presets by name. */
export const MARGIN_PRESETS = { "derive-33": derive33, "span-16": () => span16(), "deribit-35": deribit35, "mc-es": () => monteCarloEs() } as const;

/** Name of a built-in preset. */
export type MarginPresetName = keyof typeof MARGIN_PRESETS;

/** Checks a preset; PoolError("INVALID_INPUT") naming the field and the scenario. */
export function checkPreset(p: MarginPreset): void {
  const bad = (field: string, problem: string): never => {
    throw new PoolError("INVALID_INPUT", `preset.${field}`, problem);
  };
  if (p.kind === "monteCarlo") {
    if (!(Number.isInteger(p.paths) && p.paths >= 100)) bad("paths", "must be an integer ≥ 100");
    if (!(p.horizonDays > 0 && Number.isFinite(p.horizonDays))) bad("horizonDays", "must be > 0");
    if (!(p.confidence > 0.5 && p.confidence < 1)) bad("confidence", "must be in (0.5, 1)");
    if (!(p.volOfVol >= 0 && Number.isFinite(p.volOfVol))) bad("volOfVol", "must be ≥ 0");
    if (!(Math.abs(p.spotVolCorrelation) <= 1)) bad("spotVolCorrelation", "must be in [-1, 1]");
    if (!(Number.isInteger(p.seed) && p.seed >= 0 && p.seed < 2 ** 53)) bad("seed", "must be an integer in [0, 2^53)");
    return;
  }
  if (p.scenarios.length === 0) bad("scenarios", "at least one scenario");
  p.scenarios.forEach((s, i) => {
    if (!(Number.isFinite(s.spotFactor) && s.spotFactor > 0)) bad(`scenarios[${i}].spotFactor`, "must be > 0");
    if (!(Number.isFinite(s.volShock) && s.volShock > -1)) bad(`scenarios[${i}].volShock`, "must be > -1");
    if (s.skew !== undefined && !Number.isFinite(s.skew)) bad(`scenarios[${i}].skew`, "must be finite");
    if (s.weight !== undefined && !(s.weight > 0 && s.weight <= 1)) bad(`scenarios[${i}].weight`, "must be in (0, 1]");
  });
}

/** Vol of an option (base vol `vol`, strike, years) under scenario `s` with spot now `spot`, floored at MIN_VOL. */
export function scenarioVol(s: MarginScenario, vol: number, strike: number, years: number, spot: number, stress: StressOptions): number {
  const shocked = shockedVol(vol, years, s.volShock, stress);
  return s.skew ? floorVol(shocked + s.skew * Math.log(strike / spot)) : shocked;
}

/**
 * The terms of scenarioVol that depend on the series alone, computed once per series for a whole grid: the tenor
 * scale of a vol shock (shockedVol's min(maxVolScale, √(referenceYears / years))) and ln(K / spot now), written to
 * out[at] and out[at + 1].
 */
export function seriesShockTerms(strike: number, years: number, spot: number, stress: StressOptions, out: Float64Array, at: number): void {
  out[at] = Math.min(stress.maxVolScale, Math.sqrt(stress.referenceYears / Math.max(years, 1e-9)));
  out[at + 1] = Math.log(strike / spot);
}

/**
 * scenarioVol from seriesShockTerms (`scale`, `logMoneyness`) for a scenario's `volShock` and `skew` (0 when it has
 * none), bit for bit: the same expressions in the same order. Numbers in, so a loop over a grid stays monomorphic.
 */
export function scenarioVolFrom(volShock: number, skew: number, vol: number, scale: number, logMoneyness: number): number {
  const shocked = volShock === 0 ? vol : floorVol(vol * (1 + volShock * scale));
  return skew !== 0 ? floorVol(shocked + skew * logMoneyness) : shocked;
}
