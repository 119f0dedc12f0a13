// Hedged and unhedged twins of a scenario: the same config, seed and quotes (both charge the hedge fee), one pool
// hedging its delta after each day's trades and one not, compared by maximum drawdown of the share price, final
// share price, and what hedging cost against the hedge fees its quotes charged.
import { normalCdf } from "../../bindings/montecarlo.js";
import type { Pricer } from "../../bindings/pricer.js";
import type { AnyPricer } from "../risk/valuation.js";
import type { ScenarioConfig, ScenarioHedgeConfig } from "./config.js";
import { HEDGE_PASS_SECONDS, scenarioHedgeParams } from "./hedge-day.js";
import { runScenario, type ScenarioDay, type ScenarioResult } from "./scenario.js";
import { SECONDS_PER_YEAR } from "../clock.js";

/** The default hedge: a perpetual at 5 bp fee, 2 bp half spread, √-impact 10 bp at 1,000 ETH, 10 %/yr funding. */
export const DEFAULT_HEDGE: ScenarioHedgeConfig = {
  enabled: true,
  band: { kind: "fixed", halfWidth: 5 },
  venue: { feeRate: 0.0005, halfSpread: 0.0002, impact: 0.001, depth: 1000, fundingRate: 0.1 },
  orderSize: 30,
};

/** One twin's figures. */
export interface TwinFigures {
  /** Largest fall of the share price from its running peak, as a fraction of the peak. */
  maxDrawdown: number;
  finalSharePrice: number;
  /** Whole USDC: hedge fees charged in quotes (all, and the part due within the run), venue fees + slippage, funding paid. */
  hedgeFeesCharged: number;
  hedgeFeesAccrued: number;
  hedgeCosts: number;
  funding: number;
  /** Whole USDC: the fee model's cost on the book the run actually held (pathHedgeTurnover × hedgeCostRate). */
  hedgeFeesOnPath: number;
}

/** Both twins and their comparison. */
export interface HedgeTwins {
  hedged: ScenarioResult;
  unhedged: ScenarioResult;
  figures: { hedged: TwinFigures; unhedged: TwinFigures };
  /** hedged max drawdown / unhedged max drawdown (target ≤ 0.25). */
  drawdownRatio: number;
  /** Hedge costs (venue fees + slippage) / the hedge fees due within the run (target within 1 ± 0.1). */
  costToFeeRatio: number;
  /** Hedge costs / the fee model's cost on the realised book (hedgeFeesOnPath): the model's error without the path's luck. */
  costToPathRatio: number;
}

/** E|s·Z + r| for Z standard normal, s ≥ 0: s·√(2/π)·e^{−r²/2s²} + |r|·(1 − 2Φ(−|r|/s)). */
export function expectedAbsShifted(s: number, r: number): number {
  const m = Math.abs(r);
  if (!(s > 0)) return m;
  return s * Math.sqrt(2 / Math.PI) * Math.exp((-0.5 * m * m) / (s * s)) + m * (1 - 2 * normalCdf(-m / s));
}

/**
 * Notional (USDC) a hedger that trades the options' delta back to target at every daily pass is expected to trade
 * given the book the run held, the spot's diffusion being the only chance left: at pass d the options' delta has
 * moved by Γ_{d−1}·ΔS (the diffusion: s = |Γ_{d−1}|·σ_{d−1}·S_{d−1}·√Δt base units, a normal move) plus r_d, the rest
 * of the move (new and closed trades, time decay, expiries, a jump's convexity), so the pass trades E|s·Z + r_d|·S_d.
 * The hedge fee charges the unconditional expectation of the s-part alone; this is what the same model expects of
 * the path the run took, with the flows netted as they happened (docs/hedging.md has the decomposition).
 */
export function pathHedgeTurnover(timeline: readonly ScenarioDay[]): number {
  const root = Math.sqrt(HEDGE_PASS_SECONDS / SECONDS_PER_YEAR);
  let total = 0;
  timeline.forEach((d, i) => {
    const p = timeline[i - 1];
    if (!p) return void (total += Math.abs(d.delta) * d.spot); // the first pass hedges the book from flat
    const s = Math.abs(p.gamma) * p.vol * p.spot * root;
    const r = d.delta - p.delta - p.gamma * (d.spot - p.spot);
    total += expectedAbsShifted(s, r) * d.spot;
  });
  return total;
}

/** Max drawdown of a series (fraction of the running peak). */
export function maxDrawdown(values: readonly number[]): number {
  let peak = -Infinity;
  let worst = 0;
  for (const v of values) {
    peak = Math.max(peak, v);
    worst = Math.max(worst, (peak - v) / peak);
  }
  return worst;
}

function figures(r: ScenarioResult, hedge: ScenarioHedgeConfig): TwinFigures {
  const h = r.hedge!;
  return {
    hedgeFeesOnPath: scenarioHedgeParams(hedge).hedgeCostRate * pathHedgeTurnover(r.timeline),
    maxDrawdown: maxDrawdown(r.timeline.map((d) => d.sharePrice)), finalSharePrice: r.timeline.at(-1)!.sharePrice,
    hedgeFeesCharged: h.feesCharged, hedgeFeesAccrued: h.feesAccrued, hedgeCosts: h.hedgeCosts, funding: h.funding,
  };
}

/** Runs `config` hedged (with `hedge`, by default the config's or DEFAULT_HEDGE) and unhedged. */
export async function runHedgeTwins(
  config: ScenarioConfig,
  pricer: Pricer,
  hedge: ScenarioHedgeConfig = config.hedge ?? DEFAULT_HEDGE,
  riskPricer: AnyPricer = pricer,
  onProgress?: (stage: string, done: number, total: number) => void,
): Promise<HedgeTwins> {
  const progress = (twin: string) => onProgress && ((stage: string, done: number, total: number) => onProgress(`${twin} ${stage}`, done, total));
  const hedged = await runScenario({ ...config, hedge: { ...hedge, enabled: true } }, pricer, riskPricer, progress("hedged"));
  const unhedged = await runScenario({ ...config, hedge: { ...hedge, enabled: false } }, pricer, riskPricer, progress("unhedged"));
  const f = { hedged: figures(hedged, hedge), unhedged: figures(unhedged, hedge) };
  return {
    hedged, unhedged, figures: f,
    drawdownRatio: f.unhedged.maxDrawdown > 0 ? f.hedged.maxDrawdown / f.unhedged.maxDrawdown : 0,
    costToFeeRatio: f.hedged.hedgeFeesAccrued > 0 ? f.hedged.hedgeCosts / f.hedged.hedgeFeesAccrued : 0,
    costToPathRatio: f.hedged.hedgeFeesOnPath > 0 ? f.hedged.hedgeCosts / f.hedged.hedgeFeesOnPath : 0,
  };
}

/**
 * A crash cycle: `base` over 30 days with a drift that takes spot down by `fall` (0.38: ETH in Lyra's round 8) in
 * expectation of the log, vol of vol kept, no crash day, no attacker.
 */
export function crashScenario(base: ScenarioConfig, fall = 0.38): ScenarioConfig {
  const years = 30 / 365;
  const { attacker: _attacker, crash: _crash, ...rest } = base;
  return { ...rest, days: 30, drift: Math.log(1 - fall) / years + 0.5 * base.vol * base.vol, lps: base.lps.filter((lp) => lp.day <= 20).map((lp) => ({ ...lp, redeemDay: undefined })) };
}
