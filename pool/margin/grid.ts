// The priced grid of a scenario margin: every live series under every distinct scenario move (rowsOf), priced in
// place by the core's price-only kernel, and kept between calls. A series' prices depend only on its inputs (type,
// strike, years, vol) and the market's spot, rate and dividend, so a series whose inputs equal those of the series
// at the same place in the previous call keeps its prices: a size that changes, or a series added at the end (an
// order checked against a book, a trade appended to an account), prices only the new series. Any other change
// prices the series it touches; a new spot, rate or dividend prices them all.
import { PriceColumns } from "../../bindings/price-columns.js";
import type { WasmCore } from "../../bindings/wasm.js";
import type { PortfolioColumns } from "./portfolio.js";
import { scenarioVolFrom, seriesShockTerms, type MarginScenario, type ScenarioPreset } from "./scenarios.js";

/** Rows of a grid: row 0 today, then one per distinct scenario move. */
export interface GridRows {
  /** Per scenario, its row. */
  ofScenario: Int32Array;
  count: number;
  /** Per row, its first scenario (undefined: today). */
  first: (MarginScenario | undefined)[];
}

/**
 * The rows of a scenario grid: row 0 today, then one per distinct (spotFactor, volShock, skew) in scenario order. A
 * scenario that moves nothing (spot × 1, no shock, no skew: derive-33's "spot +0% vol flat") is today's row, and
 * repeated moves share a row: the same inputs give the same prices, so nothing is priced twice.
 */
export function rowsOf(scenarios: readonly MarginScenario[]): GridRows {
  const key = (sc: MarginScenario | undefined) => `${sc?.spotFactor ?? 1}/${sc?.volShock ?? 0}/${sc?.skew ?? 0}`;
  const rowOfKey = new Map<string, number>([[key(undefined), 0]]);
  const first: (MarginScenario | undefined)[] = [undefined];
  const ofScenario = Int32Array.from(scenarios, (sc) => {
    let row = rowOfKey.get(key(sc));
    if (row === undefined) {
      row = first.length;
      rowOfKey.set(key(sc), row);
      first.push(sc);
    }
    return row;
  });
  return { ofScenario, count: first.length, first };
}

/** The market inputs every price of a grid depends on. */
interface GridMarket {
  spot: number;
  rate: number;
  dividend: number;
}

/** A grid's prices, row by row (row k, series i at k · capacity + i), with the inputs they were priced from. */
export class PricedGrid {
  readonly rows: GridRows;
  private n = 0;
  private market: GridMarket = { spot: NaN, rate: NaN, dividend: NaN };
  private type = new Int8Array(0);
  private strike = new Float64Array(0);
  private years = new Float64Array(0);
  private vol = new Float64Array(0);
  private prices = new Float64Array(0);
  private fresh = new Int32Array(0);
  private terms = new Float64Array(0);
  private columns: PriceColumns | undefined;
  /** Series per row of the batch in `columns` when it holds a whole grid of the recorded inputs (else −1)… */
  private laidOut = -1;
  /** …and the core's scratch epoch right after that grid was priced. */
  private epoch = -1;

  /** Per row, the first row with the same vol move (volShock and skew), whose vol column it copies; itself if none. */
  private readonly volRow: Int32Array;

  constructor(private readonly preset: ScenarioPreset) {
    this.rows = rowsOf(preset.scenarios);
    const first = this.rows.first;
    const move = (k: number) => `${first[k]?.volShock ?? 0}/${first[k]?.skew ?? 0}`;
    this.volRow = Int32Array.from(first, (_, k) => first.findIndex((_, j) => move(j) === move(k)));
  }

  /**
   * The live value of `cols` in each row (Σ scale_i · price, series in order: the sums of a grid priced whole),
   * written to `out` (rows long). Prices the series whose inputs changed; throws the kernel's PricingInputError on an
   * input outside its domain, leaving the grid as it was.
   */
  values(core: WasmCore, cols: PortfolioColumns, market: GridMarket, out: Float64Array): Float64Array {
    const rows = this.rows.count;
    const n = cols.n;
    const same = market.spot === this.market.spot && market.rate === this.market.rate && market.dividend === this.market.dividend;
    if (this.fresh.length < n) this.fresh = new Int32Array(Math.max(n, 2 * this.fresh.length));
    let m = 0;
    for (let i = 0; i < n; i++) {
      const kept = same && i < this.n && cols.type[i] === this.type[i] && cols.strike[i] === this.strike[i] && cols.years[i] === this.years[i] && cols.vol[i] === this.vol[i];
      if (!kept) this.fresh[m++] = i;
    }
    if (m > 0) this.price(core, cols, market, m);
    this.n = n;
    this.market = market;
    const prices = this.prices;
    const capacity = this.type.length;
    const scale = cols.scale;
    for (let k = 0; k < rows; k++) {
      let v = 0;
      for (let i = 0, at = k * capacity; i < n; i++, at++) v += scale[i]! * prices[at]!;
      out[k] = v;
    }
    return out;
  }

  /**
   * Prices the `m` series listed in `fresh` in every row, in one kernel call, and records their inputs. When every
   * series is fresh (a new spot) and the scratch still holds the grid this wrote last (same columns, nobody reserved
   * scratch since), only the spot and vol columns, and the type, strike and expiry of the series that changed, are
   * written again: the rest of the batch is already in place.
   */
  private price(core: WasmCore, cols: PortfolioColumns, market: GridMarket, m: number): void {
    const rows = this.rows;
    const size = m * rows.count;
    const before = this.columns;
    this.columns = PriceColumns.reuse(this.columns, core, size);
    const inPlace = m === cols.n && this.laidOut === m && this.columns === before && this.epoch === core.scratchEpoch - 1;
    this.laidOut = -1;
    const { spot, vol, rate, dividend } = this.columns.view;
    if (this.terms.length < 2 * m) this.terms = new Float64Array(2 * m);
    const terms = this.terms;
    const fresh = this.fresh;
    for (let f = 0; f < m; f++) {
      const i = fresh[f]!;
      seriesShockTerms(cols.strike[i]!, cols.years[i]!, market.spot, this.preset.stress, terms, 2 * f);
    }
    // Vols kept too: the rows without a skew hold the vols they need (only a skew reads spot, through ln(K / spot)).
    const volsKept = inPlace && this.keptVols(cols, m);
    this.writeSeries(cols, m, inPlace);
    for (let k = 0; k < rows.count; k++) {
      const base = k * m;
      const sc = rows.first[k];
      spot.fill(market.spot * (sc?.spotFactor ?? 1), base, base + m);
      const shock = sc?.volShock ?? 0;
      const skew = sc?.skew ?? 0;
      // The same vol move gives the same vols: scenarioVolFrom reads no spot but today's.
      const from = this.volRow[k]!;
      if (volsKept && (rows.first[from]?.skew ?? 0) === 0) continue;
      if (from < k) vol.copyWithin(base, from * m, from * m + m);
      else for (let f = 0; f < m; f++) vol[base + f] = scenarioVolFrom(shock, skew, cols.vol[fresh[f]!]!, terms[2 * f]!, terms[2 * f + 1]!);
    }
    if (!(inPlace && market.rate === this.market.rate && market.dividend === this.market.dividend)) {
      rate.fill(market.rate, 0, size);
      dividend.fill(market.dividend, 0, size);
    }
    const priced = this.columns.price(size);
    this.record(cols, m);
    if (m === cols.n) {
      this.laidOut = m;
      this.epoch = core.scratchEpoch;
    }
    const capacity = this.type.length;
    for (let k = 0; k < rows.count; k++) {
      // Every series fresh: each row is one copy.
      if (m === cols.n) this.prices.set(priced.subarray(k * m, (k + 1) * m), k * capacity);
      else for (let f = 0; f < m; f++) this.prices[k * capacity + fresh[f]!] = priced[k * m + f]!;
    }
  }

  /** True when the first `m` series' vols and years equal the recorded ones. */
  private keptVols(cols: PortfolioColumns, m: number): boolean {
    for (let i = 0; i < m; i++) if (cols.vol[i] !== this.vol[i] || cols.years[i] !== this.years[i]) return false;
    return true;
  }

  /**
   * Writes the type, strike and expiry of the `m` fresh series in every row: all of them, or `inPlace` (the batch
   * holds the grid of the recorded inputs, every series fresh) those whose recorded inputs differ.
   */
  private writeSeries(cols: PortfolioColumns, m: number, inPlace: boolean): void {
    const { type, strike, expiry } = this.columns!.view;
    const rows = this.rows.count;
    const fresh = this.fresh;
    if (inPlace) {
      for (let i = 0; i < m; i++) {
        if (cols.type[i] === this.type[i] && cols.strike[i] === this.strike[i] && cols.years[i] === this.years[i]) continue;
        for (let at = i; at < rows * m; at += m) [type[at], strike[at], expiry[at]] = [cols.type[i]!, cols.strike[i]!, cols.years[i]!];
      }
      return;
    }
    for (let f = 0; f < m; f++) {
      const i = fresh[f]!;
      type[f] = cols.type[i]!;
      strike[f] = cols.strike[i]!;
      expiry[f] = cols.years[i]!;
    }
    for (let k = 1; k < rows; k++) {
      type.copyWithin(k * m, 0, m);
      strike.copyWithin(k * m, 0, m);
      expiry.copyWithin(k * m, 0, m);
    }
  }

  /** Grows the recorded inputs and prices to the columns' size (keeping what is there) and records the fresh series'. */
  private record(cols: PortfolioColumns, m: number): void {
    const n = cols.n;
    const old = this.type.length;
    if (old < n) {
      const capacity = Math.max(n, 2 * old);
      const grow = <T extends Int8Array | Float64Array>(a: T, b: T): T => (b.set(a), b);
      this.strike = grow(this.strike, new Float64Array(capacity));
      this.years = grow(this.years, new Float64Array(capacity));
      this.vol = grow(this.vol, new Float64Array(capacity));
      this.type = grow(this.type, new Int8Array(capacity));
      const prices = new Float64Array(capacity * this.rows.count);
      for (let k = 0; k < this.rows.count; k++) prices.set(this.prices.subarray(k * old, (k + 1) * old), k * capacity);
      this.prices = prices;
    }
    for (let f = 0; f < m; f++) {
      const i = this.fresh[f]!;
      this.type[i] = cols.type[i]!;
      this.strike[i] = cols.strike[i]!;
      this.years[i] = cols.years[i]!;
      this.vol[i] = cols.vol[i]!;
    }
  }
}
