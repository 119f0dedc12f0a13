// The hedging desk of a scenario run: after each day's trades it runs one hedging pass (when enabled) and marks the
// pool for the day's P&L attribution; it sums the hedge fees the quotes charged and what hedging cost (venue fees,
// slippage against the mark, funding), for the report's "hedge cost against fees charged".
import type { ManualClock } from "../clock.js";
import { PoolError } from "../errors.js";
import { attributePnl, pnlMark, type PnlAttribution, type PnlMark } from "../hedge/attribution.js";
import { Hedger } from "../hedge/hedger.js";
import { SimulatedVenue } from "../hedge/venue.js";
import type { OptionPool } from "../option-pool.js";
import type { ScenarioHedgeConfig } from "./config.js";

/** Hedging figures of a run (whole USDC). */
export interface HedgeRun {
  enabled: boolean;
  /** Hedge fees charged in quotes (their LP share is in the attribution's fees). */
  feesCharged: number;
  /** Venue fees + slippage against the venue mark, and funding paid. */
  hedgeCosts: number;
  funding: number;
  /** Hedging passes by outcome, and refusals by PoolError code. */
  passes: Record<string, number>;
  /** One attribution per day (day d: from the mark after day d − 1 to the mark after day d). */
  attribution: PnlAttribution[];
}

/** One scenario's hedging desk. */
export class ScenarioHedge {
  private readonly hedger: Hedger | undefined;
  private mark: PnlMark | undefined;
  private charge = 0n;
  private readonly run: HedgeRun;

  constructor(
    private readonly pool: OptionPool,
    config: ScenarioHedgeConfig,
    spot: () => number,
    clock: ManualClock,
    seed: number,
  ) {
    const venue = new SimulatedVenue({ spot, clock, seed, ...config.venue });
    this.hedger = config.enabled ? new Hedger({ venue, policy: { band: config.band } }) : undefined;
    this.run = { enabled: config.enabled, feesCharged: 0, hedgeCosts: 0, funding: 0, passes: {}, attribution: [] };
  }

  /** A trade's quote charged `hedgeFee` (base units). */
  charged(hedgeFee: bigint): void {
    this.charge += hedgeFee;
  }

  /** The day's hedging pass (refusals counted: the oracle guards pause hedging like trading) and its attribution. */
  day(day: number): void {
    if (this.hedger) {
      let outcome: string;
      try {
        outcome = this.pool.hedge(this.hedger).status;
      } catch (e) {
        if (!(e instanceof PoolError)) throw e;
        outcome = e.code;
      }
      this.run.passes[outcome] = (this.run.passes[outcome] ?? 0) + 1;
    }
    const next = pnlMark(this.pool);
    if (this.mark && day > 0) this.run.attribution.push(attributePnl(this.pool, this.mark, next));
    this.mark = next;
  }

  /** The run's figures. */
  result(): HedgeRun {
    const usdc = (x: bigint) => Number(x) / 1e6;
    const costs = this.run.attribution.reduce((a, d) => a + d.hedgeCosts, 0n);
    const funding = this.run.attribution.reduce((a, d) => a + d.funding, 0n);
    return { ...this.run, feesCharged: usdc(this.charge), hedgeCosts: -usdc(costs), funding: -usdc(funding) };
  }
}
