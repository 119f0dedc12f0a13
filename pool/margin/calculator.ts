// Portfolio margin of an account from a scenario preset, priced as ONE pricer batch of (scenarios + 1) × series.
// The requirement is a close-out cost: in scenario s (weight w) the account's positions are worth V_s, so closing
// them costs −V_s; the weight blends the scenario with today's mark,  cost_s = −(1 − w)·V_0 − w·V_s,  and
//   maintenance = max(0, −V_0, max_s cost_s)   (quote base units, rounded up)
//   initial     = maintenance × initialFactor  (rounded up).
// An account is healthy while cash ≥ maintenance, i.e. cash + V_s ≥ 0 in every (weighted) scenario, which is the
// Derive-style test "equity ≥ worst loss" written on cash. Because every option's value is ≥ 0, adding a short adds
// (1 − w)·V_0 + w·V_s ≥ 0 to every cost: the requirement never falls when a short is added, never rises when a long
// is, and scales with the positions (sublinear, as a worst-case measure is).
import type { Greeks } from "../../bindings/types.js";
import type { WasmCore } from "../../bindings/wasm.js";
import { PoolError } from "../errors.js";
import type { SyncPricer } from "../pricer-types.js";
import { mulDiv } from "../units.js";
import type { MarginPosition, MarginScales } from "./account.js";
import { expiredValue, liveValue, portfolioColumns, roundUnits, checkMarket, type MarginMarket, type PortfolioColumns } from "./portfolio.js";
import { PricedGrid } from "./grid.js";
import { checkPreset, derive33, scenarioVol, type MarginPreset, type ScenarioPreset } from "./scenarios.js";
import { esCostsSync, type EsPricer } from "./es.js";

/** Margin figures of an account (quote base units). */
export interface MarginFigures {
  /** Mark-to-market of the positions now (signed; rounded down). */
  mark: bigint;
  /** Cash the account must hold to stay clear of liquidation (≥ 0; rounded up). */
  maintenance: bigint;
  /** Cash it must hold after opening risk or withdrawing (≥ maintenance; rounded up). */
  initial: bigint;
  /** The scenario (or "mark", or "expected shortfall") that sets the maintenance margin. */
  worst: string;
}

/** Configuration of a calculator. */
export interface MarginConfig {
  scales: MarginScales;
  /** Default: derive33(). */
  preset?: MarginPreset;
  /** initial = maintenance × initialFactor, ≥ 1. Default 1.25. */
  initialFactor?: number;
}

/** Per-scenario costs of a portfolio (floats, base units): the engine's raw output. */
export interface ScenarioCosts {
  /** Value of the positions now, V_0. */
  mark: number;
  /** cost_s per scenario (or per path, Monte Carlo, unsorted). */
  costs: Float64Array;
  /** Bound on the magnitude of the sums (for rounding slack) and the number of terms summed. */
  magnitude: number;
  terms: number;
}

/** Computes margins of portfolios with one preset (reused buffers: one calculator per thread). */
export class MarginCalculator {
  readonly scales: MarginScales;
  readonly preset: MarginPreset;
  private readonly factorPpm: bigint;
  private buffers: { type: Int8Array; spot: Float64Array; strike: Float64Array; expiry: Float64Array; vol: Float64Array; out: Greeks } | undefined;
  private cols: PortfolioColumns | undefined;
  /** The scenario grid priced in place, kept between calls (grid.ts). */
  private readonly grid: PricedGrid | undefined;
  private values = new Float64Array(0);

  constructor(readonly pricer: SyncPricer | EsPricer, config: MarginConfig) {
    this.scales = config.scales;
    this.preset = config.preset ?? derive33();
    checkPreset(this.preset);
    const f = config.initialFactor ?? 1.25;
    if (!(Number.isFinite(f) && f >= 1 && f <= 100)) throw new PoolError("INVALID_INPUT", "initialFactor", "must be in [1, 100]");
    this.factorPpm = BigInt(Math.round(f * 1e6));
    if (this.preset.kind === "scenarios") this.grid = new PricedGrid(this.preset);
  }

  /** Mark, maintenance and initial margin of `positions` at `market`. */
  figures(positions: readonly MarginPosition[], market: MarginMarket): MarginFigures {
    return this.figuresOf(this.costs(positions, market));
  }

  /** Figures from costs computed elsewhere (e.g. an ES priced on workers). */
  figuresOf(c: ScenarioCosts, costIsShortfall = this.preset.kind === "monteCarlo"): MarginFigures {
    let worstCost = Math.max(0, -c.mark);
    let worst = worstCost > 0 ? "mark" : "none";
    if (costIsShortfall) {
      const es = c.costs[0]!;
      if (es > worstCost) [worstCost, worst] = [es, "expected shortfall"];
    } else {
      const scenarios = (this.preset as ScenarioPreset).scenarios;
      c.costs.forEach((cost, s) => {
        if (cost > worstCost) [worstCost, worst] = [cost, scenarios[s]!.name];
      });
    }
    const maintenance = worstCost > 0 ? roundUnits(worstCost, c.magnitude, c.terms, "up") : 0n;
    return {
      mark: roundUnits(c.mark, c.magnitude, c.terms, "down"),
      maintenance,
      initial: mulDiv(maintenance, this.factorPpm, 1_000_000n, "up"),
      worst,
    };
  }

  /** Raw costs: per scenario (scenario presets) or [ES] (Monte Carlo, priced on this thread). */
  costs(positions: readonly MarginPosition[], market: MarginMarket): ScenarioCosts {
    checkMarket(market);
    if (this.preset.kind === "monteCarlo") {
      if (!("core" in this.pricer)) throw new PoolError("INVALID_INPUT", "pricer", "a Monte Carlo preset needs a pricer with its WASM core (createPricer())");
      return esCostsSync(portfolioColumns(positions, market, this.scales), market, this.preset, this.pricer);
    }
    // The columns are read only until this call returns: the next one writes them again.
    this.cols = portfolioColumns(positions, market, this.scales, this.cols);
    return this.scenarioCosts(this.cols, market, this.preset);
  }

  private scenarioCosts(cols: PortfolioColumns, market: MarginMarket, preset: ScenarioPreset): ScenarioCosts {
    const scenarios = preset.scenarios;
    const n = cols.n;
    const size = n * (scenarios.length + 1);
    if (n > 0 && "core" in this.pricer) return this.gridCosts((this.pricer as EsPricer).core, cols, market, preset);
    let prices: Float64Array = new Float64Array(0);
    if (n > 0) {
      const b = this.columns(size);
      for (let k = 0; k <= scenarios.length; k++) {
        const sc = k === 0 ? undefined : scenarios[k - 1]!;
        const spot = market.spot * (sc?.spotFactor ?? 1);
        const base = k * n;
        b.spot.fill(spot, base, base + n);
        for (let i = 0; i < n; i++) {
          b.vol[base + i] = sc ? scenarioVol(sc, cols.vol[i]!, cols.strike[i]!, cols.years[i]!, market.spot, preset.stress) : cols.vol[i]!;
        }
        b.type.set(cols.type, base);
        b.strike.set(cols.strike, base);
        b.expiry.set(cols.years, base);
      }
      const whole = size === b.spot.length;
      const cut = <T extends Float64Array | Int8Array>(a: T) => (whole ? a : (a.subarray(0, size) as T));
      const batch = { type: cut(b.type), spot: cut(b.spot), strike: cut(b.strike), expiry: cut(b.expiry), vol: cut(b.vol), rate: market.rate, dividend: market.dividend ?? 0 };
      prices = (this.pricer as SyncPricer).blackScholes(batch, whole ? b.out : undefined).price;
    }
    const mark = liveValue(cols, prices, 0) + expiredValue(cols, market.spot);
    const costs = new Float64Array(scenarios.length);
    for (let s = 0; s < scenarios.length; s++) {
      const sc = scenarios[s]!;
      const w = sc.weight ?? 1;
      const v = liveValue(cols, prices, (s + 1) * n) + expiredValue(cols, market.spot * sc.spotFactor);
      costs[s] = -(1 - w) * mark - w * v;
    }
    return this.withBounds(cols, preset, mark, costs);
  }

  /**
   * Scenario costs from the grid priced in place by the core's price-only kernel (the prices blackScholes gives, bit
   * for bit, and the same sums), pricing only the series whose inputs changed since the last call (grid.ts).
   */
  private gridCosts(core: WasmCore, cols: PortfolioColumns, market: MarginMarket, preset: ScenarioPreset): ScenarioCosts {
    const grid = this.grid!;
    if (this.values.length < grid.rows.count) this.values = new Float64Array(grid.rows.count);
    const values = grid.values(core, cols, { spot: market.spot, rate: market.rate, dividend: market.dividend ?? 0 }, this.values);
    const row = grid.rows.ofScenario;
    const mark = values[0]! + expiredValue(cols, market.spot);
    const costs = new Float64Array(preset.scenarios.length);
    for (let s = 0; s < costs.length; s++) {
      const sc = preset.scenarios[s]!;
      const w = sc.weight ?? 1;
      costs[s] = -(1 - w) * mark - w * (values[row[s]!]! + expiredValue(cols, market.spot * sc.spotFactor));
    }
    return this.withBounds(cols, preset, mark, costs);
  }

  private withBounds(cols: PortfolioColumns, preset: ScenarioPreset, mark: number, costs: Float64Array): ScenarioCosts {
    const scenarios = preset.scenarios;
    // Values at a scenario spot are bounded by Σ |scale| · (strike + spot · largest factor).
    const largest = scenarios.reduce((m, sc) => Math.max(m, sc.spotFactor), 1);
    return { mark, costs, magnitude: largest * cols.magnitude, terms: cols.n + cols.expired.length };
  }

  /** Batch columns of at least `size`, reused between calls (exactly `size` long when reallocated). */
  private columns(size: number) {
    const b = this.buffers;
    if (b && b.spot.length >= size && b.spot.length < 2 * size) return b;
    const f = () => new Float64Array(size);
    this.buffers = { type: new Int8Array(size), spot: f(), strike: f(), expiry: f(), vol: f(), out: { price: f(), delta: f(), gamma: f(), vega: f(), theta: f(), rho: f() } };
    return this.buffers;
  }
}
