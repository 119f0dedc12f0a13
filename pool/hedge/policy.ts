// When and how much to hedge: the pool's net delta (options + hedge, in base units) is kept within a band around
// the target hedge −targetRatio · (options delta). The band is fixed, or the Whalley-Wilmott asymptotic no-trade
// band for proportional costs (Whalley & Wilmott 1997, "An asymptotic analysis of an optimal hedging model for option
// pricing with transaction costs", Math. Finance 7(3); Zakamouline 2006 eq. 6 for the portfolio form):
//   half-width H = (3 · λ · S · Γ² / (2 · γ))^{1/3}
// with λ the cost of trading one unit of notional (fee + slippage, a fraction), S spot, Γ the book's net gamma (base
// units per unit of spot) and γ the absolute risk aversion (per unit of quote currency per base unit, so that H is in
// base units). The discount e^{−r(T−t)} of the paper is taken as 1 (pool rates are ≈ 0 over option horizons). The
// hedge trades back to the target, or only to the band's edge (the optimal policy of the asymptotic model).

/** The band around the target hedge. */
export type HedgeBand =
  /** A fixed half-width, base units. */
  | { kind: "fixed"; halfWidth: number }
  /** Whalley-Wilmott from the book's gamma and the venue's cost; `riskAversion` γ > 0 (see the file header). */
  | { kind: "whalley-wilmott"; riskAversion: number; minHalfWidth?: number };

/** A hedging policy. */
export interface HedgePolicy {
  band: HedgeBand;
  /** Fraction of the options' delta to hedge away, in [0, 1]. Default 1. */
  targetRatio?: number;
  /** Where a rebalance trades to: the target (default) or the nearest edge of the band. */
  rebalanceTo?: "target" | "edge";
}

/** The pool's exposure the policy decides on (base units; gamma per unit of spot). */
export interface Exposure {
  spot: number;
  optionsDelta: number;
  optionsGamma: number;
  hedgeSize: number;
}

/** A rebalance decision: the band, the target hedge and the signed trade (0: inside the band). Base units. */
export interface RebalanceDecision {
  halfWidth: number;
  target: number;
  /** Options delta + hedge. */
  netDelta: number;
  trade: number;
}

/** Whalley-Wilmott half-width (base units) for cost `costRate`, spot, net gamma and risk aversion (file header). */
export function whalleyWilmottHalfWidth(costRate: number, spot: number, gamma: number, riskAversion: number): number {
  if (!(riskAversion > 0)) throw new RangeError(`riskAversion must be > 0, got ${riskAversion}`);
  return Math.cbrt((3 * costRate * spot * gamma * gamma) / (2 * riskAversion));
}

/** Checks a policy (RangeError naming the field). */
export function checkPolicy(policy: HedgePolicy): void {
  const ratio = policy.targetRatio ?? 1;
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`policy.targetRatio must be in [0, 1], got ${ratio}`);
  const b = policy.band;
  if (b?.kind === "fixed") {
    if (!(b.halfWidth >= 0 && Number.isFinite(b.halfWidth))) throw new RangeError(`policy.band.halfWidth must be a finite number ≥ 0, got ${b.halfWidth}`);
  } else if (b?.kind === "whalley-wilmott") {
    if (!(b.riskAversion > 0 && Number.isFinite(b.riskAversion))) throw new RangeError(`policy.band.riskAversion must be a finite number > 0, got ${b.riskAversion}`);
  } else throw new RangeError('policy.band.kind must be "fixed" or "whalley-wilmott"');
  if (policy.rebalanceTo !== undefined && policy.rebalanceTo !== "target" && policy.rebalanceTo !== "edge") throw new RangeError('policy.rebalanceTo must be "target" or "edge"');
}

/** The decision for `x` under `policy`, trading at `costRate` (fraction of notional). */
export function rebalanceDecision(x: Exposure, policy: HedgePolicy, costRate: number): RebalanceDecision {
  const b = policy.band;
  const halfWidth = b.kind === "fixed" ? b.halfWidth : Math.max(b.minHalfWidth ?? 0, whalleyWilmottHalfWidth(costRate, x.spot, x.optionsGamma, b.riskAversion));
  const target = -(policy.targetRatio ?? 1) * x.optionsDelta;
  const off = x.hedgeSize - target;
  const netDelta = x.optionsDelta + x.hedgeSize;
  if (Math.abs(off) <= halfWidth) return { halfWidth, target, netDelta, trade: 0 };
  const to = policy.rebalanceTo === "edge" ? target + Math.sign(off) * halfWidth : target;
  return { halfWidth, target, netDelta, trade: to - x.hedgeSize };
}
