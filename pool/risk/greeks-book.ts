// Net greeks of a pool's book at one market, kept per series: each live series' per-contract delta, gamma, vega and
// theta are priced once at the market (oracle snapshot and clock second) and cached (series-cache.ts); a trade or a
// settlement moves the totals by −Δcontracts × the greeks of the series it touched, and prices only a series it
// opened. The totals are aggregateGreeks' sums in another order: they agree to (2n + updates) · u · Σ|terms|
// (u = 2⁻⁵³, Higham §4.2), and are summed afresh every 4n + 64 updates so that stays O(n · u).
import { SECONDS_PER_YEAR } from "../clock.js";
import type { BookColumns } from "../book-columns.js";
import { volAt, type OracleSnapshot } from "../oracle.js";
import type { GreekTotals } from "./greeks.js";
import type { RiskPricer } from "./normals.js";
import { OptionSink } from "./option-sink.js";
import { SeriesCache, type CachedSeries } from "./series-cache.js";

/** Greek sums of one expiry and how many live series count in them. */
interface ExpiryTotals {
  sums: Float64Array;
  series: number;
}

/** The book's net greeks at one market. */
export class GreeksBook {
  private readonly cache = new SeriesCache(4);
  private readonly sink: OptionSink;
  private readonly total = new Float64Array(4);
  private readonly expiries = new Map<number, ExpiryTotals>();
  private updates = 0;

  /**
   * @param snap The market's oracle snapshot (copied), @param now its clock second: greeks of series live then.
   * @param sizeDecimals The pool's size decimals (open sizes → contracts).
   */
  constructor(
    pricer: RiskPricer,
    rate: number,
    dividend: number,
    readonly snap: Readonly<OracleSnapshot>,
    readonly now: number,
    private readonly sizeDecimals: number,
  ) {
    this.snap = { ...snap };
    this.sink = new OptionSink(pricer, rate, dividend, "greeks");
  }

  /** Brings the totals to `columns` (pricing only the series opened since the last sync). */
  sync(columns: BookColumns): void {
    const changes = this.cache.sync(columns);
    for (const e of changes.closed) this.count(e, e.size, -1);
    for (const r of changes.resized) {
      this.count(r.entry, r.size, -1);
      this.count(r.entry, r.entry.size, 1);
    }
    for (const e of changes.opened) {
      if (e.expiry <= this.now) continue; // not live at this market: no greeks
      const years = (e.expiry - this.now) / SECONDS_PER_YEAR;
      this.sink.push(e.type, this.snap.spot, e.strike, years, volAt(this.snap, e.strike, years), e.values, 0);
    }
    this.sink.flush();
    for (const e of changes.opened) this.count(e, e.size, 1);
    if (this.updates > 4 * this.cache.size + 64) this.resum();
  }

  /** Adds (+1) or removes (−1) −contracts × greeks of a live series at open `size` (size units). */
  private count(e: CachedSeries, size: number, sign: 1 | -1): void {
    if (e.expiry <= this.now) return;
    this.updates++;
    let bucket = this.expiries.get(e.expiry);
    if (!bucket) this.expiries.set(e.expiry, (bucket = { sums: new Float64Array(4), series: 0 }));
    const contracts = -size / 10 ** this.sizeDecimals;
    for (let g = 0; g < 4; g++) {
      const v = sign * contracts * e.values[g]!;
      bucket.sums[g] += v;
      this.total[g] += v;
    }
    bucket.series += sign;
    if (bucket.series === 0) this.expiries.delete(e.expiry);
  }

  private resum(): void {
    this.total.fill(0);
    this.expiries.clear();
    this.updates = 0;
    for (const e of this.cache.entries()) this.count(e, e.size, 1);
    this.updates = 0;
  }

  /** Totals and per-expiry sums (ascending expiry), as NetGreeks has them. */
  figures(): { total: GreekTotals; byExpiry: { expiry: number; greeks: GreekTotals }[] } {
    const totals = (a: Float64Array): GreekTotals => ({ delta: a[0]!, gamma: a[1]!, vega: a[2]!, theta: a[3]! });
    const byExpiry = [...this.expiries].sort(([a], [b]) => a - b).map(([expiry, b]) => ({ expiry, greeks: totals(b.sums) }));
    return { total: totals(this.total), byExpiry };
  }
}
