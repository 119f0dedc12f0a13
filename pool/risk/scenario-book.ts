// The pre-trade check's figures at the cost of what changed. Per open series, its price per contract under every
// stress scenario (and the base case) and on every Monte Carlo path is cached for one market — oracle snapshot, clock
// second, scenarios and VaR options — and the book's liability per scenario and per path is kept as running totals
// of the series' contributions (the one valuation rule, pool/valuation.ts seriesLiability). A check syncs the cache
// with the draft's book columns (series-cache.ts): an opened series is priced on (scenarios + 1) + paths options, a
// resized or closed one only moves the totals; then the figures cost O(scenarios + paths log paths). A new market
// reprices the whole book once, as the full recompute does.
//
// The totals are the full recompute's sums taken in another order, so they agree to a bound, not bit for bit:
// each running total is within E = 2 · u · (n·M + Σ M over the updates since it was last summed afresh) of the full
// recompute's (u = 2⁻⁵³; n cached series; M = Σ of the series' largest contributions, a bound on every total;
// Higham, "Accuracy and Stability of Numerical Algorithms", §4.2: a recursive sum of n terms errs by ≤ (n−1)·u·Σ|terms|,
// and each later addition by ≤ u·|result|). Totals are summed afresh every 4n + 64 updates, so E stays O(n·u·M).
// figures() reports the bounds, and the check (pretrade.ts) falls back to the full recompute when a limit lies within
// them, so its decision is the full recompute's.
import { hedgeUnit } from "../hedge/accounting.js";
import type { PoolState } from "../ledger.js";
import { volAt, type OracleSnapshot } from "../oracle.js";
import type { PoolSettings } from "../option-pool.js";
import { SECONDS_PER_YEAR } from "../clock.js";
import { seriesValue } from "../valuation.js";
import { pow10 } from "../units.js";
import type { RiskPricer } from "./normals.js";
import { OptionSink } from "./option-sink.js";
import { SeriesCache, type CachedSeries } from "./series-cache.js";
import { shockedVol, type StressOptions, type StressScenario } from "./stress.js";
import { floorVol, hedgeValueAt, sharePriceOf } from "./valuation.js";
import { outlivesHorizon, pathMarkets, varResult, type PathMarkets, type VarOptions } from "./var.js";

const U = 2 ** -53;

/** What the cached values depend on besides the series: the oracle print and the clock second. */
interface Market {
  spot: number;
  timestamp: number;
  baseVol: number;
  skew: number | undefined;
  surface: OracleSnapshot["surface"];
  now: number;
}

function sameMarket(m: Market, snap: OracleSnapshot, now: number): boolean {
  return m.now === now && m.spot === snap.spot && m.timestamp === snap.timestamp && m.baseVol === snap.baseVol && m.skew === snap.skew && m.surface === snap.surface;
}

/** The check's figures with their distance to the full recompute's. */
export interface ScenarioFigures {
  /** Lowest (free + locked) / worst-case payout over the base case and the scenarios. */
  minSolvency: number;
  /** The full recompute's minSolvency lies in [low, high]. */
  minSolvencyRange: [number, number];
  /** The scenario with the lowest NAV. */
  worst: StressScenario;
  expectedShortfall: number;
  expectedShortfallStdError: number;
  /** |expectedShortfall − the full recompute's| ≤ this. */
  expectedShortfallBound: number;
}

/** Scenario and path values of one pool's book, kept per series. */
export class ScenarioBook {
  private readonly s: number;
  private readonly paths: number;
  private readonly cache: SeriesCache;
  private readonly sink: OptionSink;
  private market: Market | undefined;
  private markets: PathMarkets | undefined;
  private readonly scenarioSpot: Float64Array;
  private readonly capped: Float64Array;
  private readonly uncapped: Float64Array;
  private readonly liability: Float64Array;
  private readonly losses: Float64Array;
  /** One series' vol on each path (scratch). */
  private readonly pathVol: Float64Array;
  /** Σ over cached series of their largest contribution (a bound on every total), and the error budget spent. */
  private magnitude = 0;
  private drift = 0;
  private updates = 0;
  private readonly unit: number;

  constructor(
    private readonly settings: Readonly<PoolSettings>,
    private readonly pricer: RiskPricer,
    private readonly scenarios: readonly StressScenario[],
    private readonly stress: StressOptions,
    private readonly varOptions: VarOptions,
  ) {
    this.s = scenarios.length + 1;
    this.paths = varOptions.paths;
    this.cache = new SeriesCache(this.s + this.paths);
    this.sink = new OptionSink(pricer, settings.params.rate, settings.params.dividend, "price");
    this.scenarioSpot = new Float64Array(this.s);
    this.capped = new Float64Array(this.s);
    this.uncapped = new Float64Array(this.s);
    this.liability = new Float64Array(this.paths);
    this.losses = new Float64Array(this.paths);
    this.pathVol = new Float64Array(this.paths);
    this.unit = 10 ** settings.decimals / 10 ** settings.sizeDecimals; // as prepareBook
  }

  /** Series cached now. */
  get seriesCount(): number {
    return this.cache.size;
  }

  /** Brings the values to `draft`'s book at `snap` and `now` (repricing everything when the market is new). */
  sync(draft: PoolState, snap: OracleSnapshot, now: number): void {
    const fresh = !this.market || !sameMarket(this.market, snap, now);
    if (fresh) this.setMarket(snap, now);
    const changes = this.cache.sync(draft.columns);
    if (fresh) {
      // Every series (kept ones reuse their columns) is priced at the new market, and the totals summed afresh.
      for (const e of this.cache.entries()) this.price(e, snap, now);
      this.sink.flush();
      this.resum();
      return;
    }
    for (const e of changes.closed) this.count(e, e.size, e.locked, -1);
    for (const r of changes.resized) {
      this.count(r.entry, r.size, r.locked, -1);
      this.count(r.entry, r.entry.size, r.entry.locked, 1);
    }
    for (const e of changes.opened) this.price(e, snap, now);
    this.sink.flush();
    for (const e of changes.opened) this.count(e, e.size, e.locked, 1);
    if (this.updates > 4 * this.cache.size + 64) this.resum();
  }

  private setMarket(snap: OracleSnapshot, now: number): void {
    this.market = { spot: snap.spot, timestamp: snap.timestamp, baseVol: snap.baseVol, skew: snap.skew, surface: snap.surface, now };
    this.scenarioSpot[0] = snap.spot;
    this.scenarios.forEach((sc, k) => (this.scenarioSpot[k + 1] = snap.spot * sc.spotFactor));
    this.markets = pathMarkets(this.pricer.core, snap.spot, this.varOptions, snap.baseVol, this.varOptions.horizonDays / 365);
  }

  /** Gathers an opened series' options into the sink (payoffs of expired series and of series expiring inside the horizon are written at once). */
  private price(e: CachedSeries, snap: OracleSnapshot, now: number): void {
    const v = e.values;
    const s = this.s;
    const call = e.type === 1;
    const payoff = (spot: number) => (call ? spot - e.strike : e.strike - spot);
    const spots = this.markets!.spot;
    if (e.expiry <= now) {
      for (let k = 0; k < s; k++) v[k] = payoff(this.scenarioSpot[k]!);
      for (let p = 0; p < this.paths; p++) v[s + p] = payoff(spots[p]!);
      return;
    }
    const years = (e.expiry - now) / SECONDS_PER_YEAR;
    const vol = volAt(snap, e.strike, years);
    this.sink.push(e.type, this.scenarioSpot[0]!, e.strike, years, vol, v, 0);
    this.scenarios.forEach((sc, k) => this.sink.push(e.type, this.scenarioSpot[k + 1]!, e.strike, years, shockedVol(vol, years, sc.volShock, this.stress), v, k + 1));
    const h = this.varOptions.horizonDays / 365;
    if (!outlivesHorizon(years, h)) {
      for (let p = 0; p < this.paths; p++) v[s + p] = payoff(spots[p]!);
      return;
    }
    const factor = this.markets!.volFactor;
    const pathVol = this.pathVol;
    for (let p = 0; p < this.paths; p++) pathVol[p] = floorVol(vol * factor[p]!);
    this.sink.pushColumn(e.type, e.strike, years - h, spots, pathVol, v, s);
  }

  /** Adds (sign +1) or removes (−1) a series' contributions at `size` and `locked` to every total. */
  private count(e: CachedSeries, size: number, locked: number, sign: 1 | -1): void {
    const largest = this.add(e, size * this.unit, locked, sign);
    if (sign === 1) this.magnitude += largest;
    this.updates++;
    this.drift += U * this.magnitude;
    if (sign === -1) this.magnitude = Math.max(0, this.magnitude - largest);
  }

  /** Adds sign × contributions of one series to the totals; returns its largest (uncapped) contribution. */
  private add(e: CachedSeries, scale: number, locked: number, sign: number): number {
    const q = this.settings.collateral === "quote";
    const v = e.values;
    const s = this.s;
    let largest = 0;
    for (let k = 0; k < s; k++) {
      const x = seriesValue(v[k]!, this.scenarioSpot[k]!, scale, q);
      this.uncapped[k] += sign * x;
      this.capped[k] += sign * (x < locked ? x : locked);
      if (x > largest) largest = x;
    }
    const spots = this.markets!.spot;
    const L = this.liability;
    for (let p = 0; p < this.paths; p++) {
      const x = seriesValue(v[s + p]!, spots[p]!, scale, q);
      L[p] += sign * (x < locked ? x : locked);
      if (x > largest) largest = x;
    }
    return largest;
  }

  /** Sums every total afresh from the cached series (no pricing), which resets the error budget. */
  private resum(): void {
    this.capped.fill(0);
    this.uncapped.fill(0);
    this.liability.fill(0);
    let magnitude = 0;
    for (const e of this.cache.entries()) magnitude += this.add(e, e.size * this.unit, e.locked, 1);
    this.magnitude = magnitude;
    this.drift = 0;
    this.updates = 0;
  }

  /** Bound on |a total − the full recompute's|: this book's summation error and the full recompute's. */
  private totalBound(): number {
    const n = this.cache.size;
    return 2 * (this.drift + 2 * (n + 1) * U * this.magnitude * (1 + 1e-6));
  }

  /** The figures of the last synced book, for a draft with these ledger totals and hedge (valued as valuation.ts does). */
  figures(draft: Pick<PoolState, "free" | "locked" | "totalSupply" | "hedge">): ScenarioFigures {
    const assets = Number(draft.free) + Number(draft.locked);
    const hedge = { hedgeFixed: Number(draft.hedge.margin - draft.hedge.entry), hedgeScale: Number(draft.hedge.size) * hedgeUnit(this.settings) };
    const assetsAt = (spot: number) => assets + hedgeValueAt(hedge, spot);
    const E = this.totalBound();
    const { lo, hi, min, worst } = this.solvency(assetsAt, E);
    const shares = { supply: Number(draft.totalSupply), virtualShares: Number(pow10(this.settings.shareOffset)) };
    const baseNav = assetsAt(this.scenarioSpot[0]!) - this.capped[0]!;
    const baseSharePrice = sharePriceOf(shares, baseNav);
    const spots = this.markets!.spot;
    for (let p = 0; p < this.paths; p++) this.losses[p] = 1 - sharePriceOf(shares, assetsAt(spots[p]!) - this.liability[p]!) / baseSharePrice;
    const r = varResult(this.losses, this.varOptions, baseNav);
    // loss = 1 − (A − L + 1)/(A₀ − C₀ + 1): moving L and C₀ by ≤ E moves it by ≤ 2E(A + 1)/D², D = A₀ − C₀ + 1, A the
    // largest of the paths' assets (collateral + hedge).
    const D = baseNav + 1 - E;
    let top = assets;
    if (hedge.hedgeScale !== 0) for (let p = 0; p < this.paths; p++) top = Math.max(top, assetsAt(spots[p]!));
    const ratio = (Math.abs(top) + 1) / Math.max(D, Number.MIN_VALUE);
    const k = this.paths - Math.min(this.paths - 1, Math.ceil(this.paths * this.varOptions.confidence) - 1);
    const esBound = D > 0 ? 2 * ((2 * E * ratio) / D + (16 + 2 * k) * U * (1 + ratio)) : Infinity;
    return { minSolvency: min, minSolvencyRange: [lo, hi], worst, expectedShortfall: r.expectedShortfall, expectedShortfallStdError: r.expectedShortfallStdError, expectedShortfallBound: esBound };
  }

  private solvency(assetsAt: (spot: number) => number, E: number): { lo: number; hi: number; min: number; worst: StressScenario } {
    let lo = Infinity;
    let hi = Infinity;
    let min = Infinity;
    let worst = 1;
    for (let k = 0; k < this.s; k++) {
      const u = this.uncapped[k]!;
      const assets = assetsAt(this.scenarioSpot[k]!);
      if (u > 0) min = Math.min(min, assets / u);
      lo = Math.min(lo, u + E > 0 ? (assets / (u + E)) * (1 - 4 * U) : Infinity);
      hi = Math.min(hi, u - E > 0 ? (assets / (u - E)) * (1 + 4 * U) : Infinity);
      if (k > 0 && assets - this.capped[k]! < assetsAt(this.scenarioSpot[worst]!) - this.capped[worst]!) worst = k;
    }
    return { lo, hi, min, worst: this.scenarios[worst - 1]! };
  }
}
