// The hedging desk of a scenario run: after each day's trades it runs one hedging pass (when enabled) and marks the
// pool for the day's P&L attribution. At the end it sets what the quotes charged for hedging against what hedging
// cost (venue fees and slippage against the mark; funding apart). The charge is re-derived from the pool's trade
// events (every trade: direct, routed from the book, the attacker's), in full and accrued: the part of each trade's
// expected hedge cost due within the run (re-hedging up to the run's end), which is what the run's costs compare to.
import { SECONDS_PER_YEAR, type ManualClock } from "../clock.js";
import { PoolError } from "../errors.js";
import { chargedTurnover, hedgeTurnover, type HedgeTurnover } from "../fees.js";
import { attributePnl, pnlMark, type PnlAttribution, type PnlMark } from "../hedge/attribution.js";
import { hedgeFeeParams } from "../hedge/fee.js";
import { Hedger } from "../hedge/hedger.js";
import { SimulatedVenue } from "../hedge/venue.js";
import type { OptionPool } from "../option-pool.js";
import type { PoolParams } from "../params.js";
import type { ScenarioHedgeConfig } from "./config.js";

/** Hedging figures of a run (whole USDC; deltas in base units). */
export interface HedgeRun {
  enabled: boolean;
  /** Hedge fees the quotes charged (their LP share is in the attribution's fees), and the part due within the run. */
  feesCharged: number;
  feesAccrued: number;
  /** Venue fees + slippage against the venue mark, and funding paid (negative: received). */
  hedgeCosts: number;
  funding: number;
  /** Notional (USDC) the trades were expected to make the hedger trade within the run, by cause (fees.ts hedgeTurnover). */
  expectedTurnover: HedgeTurnover;
  /** Delta (base units) the hedger traded, and the notional (USDC) it traded at the venue's marks. */
  tradedDelta: number;
  tradedNotional: number;
  /** Hedging passes by outcome, and refusals by PoolError code. */
  passes: Record<string, number>;
  /** One attribution per day (day d: from the mark after day d − 1 to the mark after day d). */
  attribution: PnlAttribution[];
}

/** Seconds between the desk's hedging passes: one after each day's trades. */
export const HEDGE_PASS_SECONDS = 86_400;

/** The pool's hedge fee parameters for `config`: its venue's costs at its expected order size, daily passes. */
export function scenarioHedgeParams(config: ScenarioHedgeConfig): Pick<PoolParams, "hedgeCostRate" | "hedgeRebalanceSeconds"> {
  const venue = new SimulatedVenue({ ...config.venue, spot: () => 1, clock: { now: () => 0 } });
  return hedgeFeeParams(venue, { rebalanceSeconds: HEDGE_PASS_SECONDS, orderSize: config.orderSize });
}

/** One scenario's hedging desk. */
export class ScenarioHedge {
  private readonly hedger: Hedger;
  private readonly enabled: boolean;
  private mark: PnlMark | undefined;
  private readonly passes: Record<string, number> = {};
  private readonly attribution: PnlAttribution[] = [];

  constructor(
    private readonly pool: OptionPool,
    config: ScenarioHedgeConfig,
    spot: () => number,
    private readonly clock: ManualClock,
    seed: number,
    /** Records the oracle's latest spot and vol again at a time (the feed printing on while the keeper waits). */
    private readonly reprint: (time: number) => void,
  ) {
    const venue = new SimulatedVenue({ spot, clock, seed, ...config.venue });
    // The unhedged twin runs the same passes with a band no delta leaves: the same guard refusals and retries (so the
    // same clock and prints), no order.
    this.hedger = new Hedger({ venue, policy: { band: config.enabled ? config.band : { kind: "fixed", halfWidth: Number.MAX_VALUE } } });
    this.enabled = config.enabled;
  }

  /**
   * The day's hedging pass and its attribution. A pass the oracle guards refuse (TRADING_PAUSED: the day's print far
   * from its time average, or a pause) is retried once when the guard clears, as a keeper would: after the average's
   * window or the pause. Outcomes are counted by status or PoolError code.
   */
  day(day: number): void {
    let outcome = this.pass();
    if (outcome === "TRADING_PAUSED") {
      const retry = Math.max(this.clock.now() + this.pool.settings.params.navTwapWindowSeconds, this.pool.tradingPausedUntil) + 1;
      this.clock.set(retry);
      this.reprint(retry);
      outcome = this.pass();
      this.passes.retried = (this.passes.retried ?? 0) + 1;
    }
    this.passes[outcome] = (this.passes[outcome] ?? 0) + 1;
    const next = pnlMark(this.pool);
    if (this.mark && day > 0) this.attribution.push(attributePnl(this.pool, this.mark, next));
    this.mark = next;
  }

  private pass(): string {
    try {
      return this.pool.hedge(this.hedger).status;
    } catch (e) {
      if (!(e instanceof PoolError)) throw e;
      return e.code;
    }
  }

  /** What the trades' quotes charged for hedging, the part due by now, and the turnover expected by now. */
  private charged() {
    const p = this.pool.settings.params;
    const unit = 10 ** -this.pool.settings.sizeDecimals;
    const now = this.pool.clock.now();
    const expected = { entry: 0, rebalance: 0, exit: 0 };
    let charged = 0;
    let accrued = 0;
    const trades = this.pool.events.filter((e) => e.kind === "trade");
    if (trades.length === 0) return { charged, accrued, expected };
    const years = trades.map((t) => Math.max(1e-9, (t.series.expiry - t.time) / SECONDS_PER_YEAR));
    const g = this.pool.pricer.blackScholes({
      type: trades.map((t) => t.series.type), spot: trades.map((t) => t.spot), strike: trades.map((t) => t.series.strike), expiry: years,
      vol: trades.map((t) => t.vol), rate: p.rate, dividend: p.dividend,
    });
    trades.forEach((t, i) => {
      const x = { delta: g.delta[i]!, spot: t.spot, years: years[i]!, option: { ...t.series, vol: t.vol, carry: p.rate - p.dividend } };
      const whole = hedgeTurnover(x, p.hedgeRebalanceSeconds);
      const due = hedgeTurnover(x, p.hedgeRebalanceSeconds, (now - t.time) / SECONDS_PER_YEAR);
      const n = Number(t.size) * unit;
      expected.entry += n * due.entry;
      expected.rebalance += n * due.rebalance;
      expected.exit += n * due.exit;
      charged += n * p.hedgeCostRate * chargedTurnover(whole);
      accrued += n * p.hedgeCostRate * chargedTurnover(due);
    });
    return { charged, accrued, expected };
  }

  /** The run's figures. */
  result(): HedgeRun {
    const usdc = (x: bigint) => Number(x) / 10 ** this.pool.settings.decimals;
    const unit = 10 ** -this.pool.settings.sizeDecimals;
    const costs = this.attribution.reduce((a, d) => a + d.hedgeCosts, 0n);
    const funding = this.attribution.reduce((a, d) => a + d.funding, 0n);
    const sizes = new Map<number, bigint>();
    let tradedDelta = 0;
    let tradedNotional = 0;
    for (const e of this.pool.events) {
      if (e.kind === "hedgeOrder") sizes.set(e.id, e.size);
      if (e.kind === "hedgeFill") {
        const size = Number(sizes.get(e.id)!) * unit;
        tradedDelta += size;
        tradedNotional += size * e.mark;
      }
    }
    const { charged, accrued, expected } = this.charged();
    return {
      enabled: this.enabled, feesCharged: charged, feesAccrued: accrued, hedgeCosts: -usdc(costs), funding: -usdc(funding),
      expectedTurnover: expected, tradedDelta, tradedNotional, passes: this.passes, attribution: this.attribution,
    };
  }
}
