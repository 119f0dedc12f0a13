// LP P&L explained: attributePnl(pool, from, to) splits the change of NAV between two marks (pnlMark) into LP flows
// and the pool's P&L by source, from the pool's own events and greeks:
//   lpFlows      deposits + donations − redemptions − queued withdrawals paid (exact)
//   fees         trade fees − the treasury's share (exact)
//   premium      per trade, the premium against the option's mark value at the trade's own spot and oracle vol (the
//                pool's edge: the IV impact)
//   theta, delta, gamma, vega   per position ("leg": the book at `from`, and each trade since), from where it started
//                (the `from` mark, or the trade) to where it ended (the `to` mark, or its settlement), the pool being
//                short n contracts, in sequence: theta −n·(V(S, σ, t₁) − V(S, σ, t₀)); delta −n·δ·ΔS with δ at
//                (S, σ, t₁); gamma −n·(V(S + ΔS, σ, t₁) − V(S, σ, t₁) − δ·ΔS) (½·Γ·ΔS² and every higher order of the
//                spot move); vega −n·(V(S + ΔS, σ + Δa, t₁) − V(S + ΔS, σ, t₁)) with Δa the move of the at-the-money
//                vol (the smile's level: ν·Δa and the vol convexity); skew −n·(V(S + ΔS, σ + Δσ, t₁) − V(S + ΔS,
//                σ + Δa, t₁)), the rest of the strike's vol move (the smile's shape). A trade's at-the-money vol at
//                its time is taken as the `from` mark's plus the move of the strike's vol since (a level move)
//   hedgePnl     realised + change of unrealised P&L of the hedge, at the marks' spots, slippage added back (exact)
//   hedgeCosts   −(venue fees + slippage against the venue mark) (exact)
//   funding      −funding paid (exact)
//   unexplained  ΔNAV − all of the above: computed, never forced (the collateral cap, marks that are not the
//                positions' own such as a series settled past `to`, rounding)
// Float parts are rounded to the nearest base unit each. Quote-collateral pools (those that hedge).
import { SECONDS_PER_YEAR } from "../clock.js";
import { PoolError } from "../errors.js";
import type { PoolEvent } from "../events.js";
import type { OptionPool } from "../option-pool.js";
import { volAt, type OracleSnapshot } from "../oracle.js";
import { hedgeUnit, hedgeValue, type HedgeState } from "./accounting.js";

/** A position's value and greeks where it starts (per contract, quote currency; years; vol per 1.00). */
interface Leg {
  type: "call" | "put";
  strike: number;
  expiry: number;
  /** Contracts the pool is short (negative: a sale to the pool closing a short). */
  contracts: number;
  time: number;
  spot: number;
  vol: number;
  /** At-the-money vol where it starts (the smile's level). */
  atmVol: number;
  price: number;
  delta: number;
  gamma: number;
  vega: number;
  theta: number;
}

/** The pool at one moment, as attribution needs it: NAV, its marks, the open book's greeks, the hedge. */
export interface PnlMark {
  seq: number;
  /** Unix seconds. */
  time: number;
  /** NAV (base units, pool.nav("up")) and supply (share units). */
  nav: bigint;
  supply: bigint;
  sharePrice: number;
  /** The NAV's marks (time-weighted spot; vols per series from the same snapshot). */
  snapshot: OracleSnapshot;
  legs: readonly Leg[];
  hedge: Readonly<HedgeState>;
}

/** The change of NAV between two marks, by source (base units; `unexplained` is what the others leave). */
export interface PnlAttribution {
  from: number;
  to: number;
  navChange: bigint;
  sharePriceFrom: number;
  sharePriceTo: number;
  lpFlows: bigint;
  premium: bigint;
  fees: bigint;
  theta: bigint;
  delta: bigint;
  gamma: bigint;
  vega: bigint;
  skew: bigint;
  hedgePnl: bigint;
  hedgeCosts: bigint;
  funding: bigint;
  unexplained: bigint;
}

type Greek = "price" | "delta" | "gamma" | "vega" | "theta";

type LegRow = { type: "call" | "put"; strike: number; expiry: number; contracts: number; spot: number; vol: number; atmVol: number; time: number };

function legsAt(pool: OptionPool, rows: LegRow[]): Leg[] {
  if (rows.length === 0) return [];
  const years = rows.map((r) => Math.max(1e-9, (r.expiry - r.time) / SECONDS_PER_YEAR));
  const { rate, dividend } = pool.settings.params;
  const g = pool.pricer.blackScholes({
    type: rows.map((r) => r.type), spot: rows.map((r) => r.spot), strike: rows.map((r) => r.strike), expiry: years, vol: rows.map((r) => r.vol), rate, dividend,
  });
  const at = (k: Greek, i: number) => g[k][i]!;
  return rows.map((r, i) => ({ ...r, price: at("price", i), delta: at("delta", i), gamma: at("gamma", i), vega: at("vega", i), theta: at("theta", i) }));
}

/** Marks `pool` now for attribution (prices its live book once at the NAV's snapshot). */
export function pnlMark(pool: OptionPool): PnlMark {
  if (pool.settings.collateral !== "quote") throw new PoolError("INVALID_INPUT", "collateral", "attribution is for quote-collateral pools");
  const snapshot = pool.navSnapshot();
  const time = pool.clock.now();
  const unit = 10 ** -pool.settings.sizeDecimals;
  const live = pool.openSeries().filter((s) => s.expiry > time);
  const rows = live.map((s) => {
    const years = (s.expiry - time) / SECONDS_PER_YEAR;
    return { type: s.type, strike: s.strike, expiry: s.expiry, contracts: Number(s.openSize) * unit, spot: snapshot.spot, time, vol: volAt(snapshot, s.strike, years), atmVol: volAt(snapshot, snapshot.spot, years) };
  });
  return { seq: pool.seq, time, nav: pool.nav("up"), supply: pool.totalSupply, sharePrice: pool.sharePrice(), snapshot, legs: legsAt(pool, rows), hedge: pool.hedgePosition() };
}

/** Sums of the exact parts over the events of the interval, and the legs its trades open. */
function fromEvents(pool: OptionPool, events: readonly PoolEvent[], from: PnlMark) {
  const s = { lpFlows: 0n, fees: 0n, premium: 0, realised: 0n, hedgeFees: 0n, slippage: 0, funding: 0n, settled: new Map<number, number>() };
  const trades: Parameters<typeof legsAt>[1] = [];
  const premiums: number[] = [];
  const unit = 10 ** -pool.settings.sizeDecimals;
  const money = 10 ** pool.settings.decimals;
  for (const e of events) {
    if (e.kind === "deposit" || e.kind === "donate") s.lpFlows += e.assets;
    else if (e.kind === "redeem" || e.kind === "withdrawalPaid") s.lpFlows -= e.assets;
    else if (e.kind === "trade") {
      s.fees += e.fees - e.protocolFee;
      const sign = e.side === "buy" ? 1 : -1;
      const years = (e.series.expiry - e.time) / SECONDS_PER_YEAR;
      const atmVol = volAt(from.snapshot, from.snapshot.spot, years) + e.oracleVol - volAt(from.snapshot, e.series.strike, years);
      trades.push({ ...e.series, contracts: sign * Number(e.size) * unit, spot: e.spot, vol: e.oracleVol, atmVol, time: e.time });
      premiums.push(sign * Number(e.premium));
    } else if (e.kind === "settle") s.settled.set(e.expiry, e.price);
    else if (e.kind === "hedgeFill") {
      s.realised += e.realised;
      s.hedgeFees += e.fee;
    } else if (e.kind === "hedgeFunding") s.funding += e.amount;
  }
  const legs = legsAt(pool, trades);
  legs.forEach((leg, i) => {
    s.premium += premiums[i]! - Math.sign(leg.contracts) * leg.price * Math.abs(leg.contracts) * money;
  });
  s.slippage = slippageOf(pool, events);
  return { ...s, legs };
}

/** What the interval's fills paid against the venue mark (base units, ≥ 0 for fills at worse than mark). */
function slippageOf(pool: OptionPool, events: readonly PoolEvent[]): number {
  const orders = new Map<number, { side: "buy" | "sell"; size: bigint }>();
  for (const e of pool.events) if (e.kind === "hedgeOrder") orders.set(e.id, e);
  const unit = hedgeUnit(pool.settings);
  let total = 0;
  for (const e of events) {
    if (e.kind !== "hedgeFill") continue;
    const o = orders.get(e.id)!;
    const atMark = Number(o.size) * e.mark * unit;
    total += o.side === "buy" ? Number(e.notional) - atMark : atMark - Number(e.notional);
  }
  return total;
}

/** Where a leg ends: the `to` mark, or its settlement (spot = the settlement price, time = expiry). */
function legEnd(leg: Leg, to: PnlMark, settledPrice: number | undefined) {
  return settledPrice !== undefined
    ? { spot: settledPrice, time: leg.expiry, vol: leg.vol, atmVol: leg.atmVol }
    : { spot: to.snapshot.spot, time: to.time, vol: volAt(to.snapshot, leg.strike, (leg.expiry - to.time) / SECONDS_PER_YEAR), atmVol: volAt(to.snapshot, to.snapshot.spot, (leg.expiry - to.time) / SECONDS_PER_YEAR) };
}

/**
 * The pool's P&L terms on `leg` (base units, float), in sequence: time passes at the start spot and vol (theta, by
 * revaluation), then spot moves (delta from the delta there, gamma the revaluation beyond it: every order of the
 * move), then the smile's level moves (vega, with the vol convexity), then its shape (skew). `aged`: the leg revalued
 * at (start spot, start vol, end time); `moved`: at (end spot, start vol, end time); `levelled`: at (end spot, start
 * vol + the at-the-money move, end time); `ended`: at the end.
 */
function legTerms(leg: Leg, end: ReturnType<typeof legEnd>, aged: Leg, moved: Leg, levelled: Leg, ended: Leg, money: number) {
  const dS = end.spot - leg.spot;
  const n = -leg.contracts * money; // the pool is short: its P&L is minus the value change
  return {
    theta: n * (aged.price - leg.price),
    delta: n * aged.delta * dS,
    gamma: n * (moved.price - aged.price - aged.delta * dS),
    vega: n * (levelled.price - moved.price),
    skew: n * (ended.price - levelled.price),
  };
}

/** The hedge's mark-to-market excluding margin (realised P&L is counted from the events). */
function hedgeMtm(h: Readonly<HedgeState>, spot: number, pool: OptionPool): bigint {
  return hedgeValue(h as HedgeState, spot, pool.settings, "up") - h.margin;
}

/** Splits the NAV change between marks `from` and `to` (from.seq ≤ to.seq) of `pool` by source (file header). */
export function attributePnl(pool: OptionPool, from: PnlMark, to: PnlMark): PnlAttribution {
  if (!(from.seq <= to.seq && to.seq <= pool.seq && from.time <= to.time)) throw new PoolError("INVALID_INPUT", "from", `marks must be in order and of this pool (seq ${from.seq} → ${to.seq}, pool at ${pool.seq})`);
  const events = pool.eventsSince(from.seq).slice(0, to.seq - from.seq);
  const x = fromEvents(pool, events, from);
  const money = 10 ** pool.settings.decimals;
  const greeks = { theta: 0, delta: 0, gamma: 0, vega: 0, skew: 0 };
  const legs = [...from.legs, ...x.legs];
  const ends = legs.map((leg) => legEnd(leg, to, x.settled.get(leg.expiry) ?? (leg.expiry <= to.time ? to.snapshot.spot : undefined)));
  const aged = legsAt(pool, legs.map((leg, i) => ({ ...leg, time: ends[i]!.time })));
  const moved = legsAt(pool, legs.map((leg, i) => ({ ...leg, time: ends[i]!.time, spot: ends[i]!.spot })));
  const levelled = legsAt(pool, legs.map((leg, i) => ({ ...leg, time: ends[i]!.time, spot: ends[i]!.spot, vol: Math.max(1e-6, leg.vol + ends[i]!.atmVol - leg.atmVol) })));
  const ended = legsAt(pool, legs.map((leg, i) => ({ ...leg, ...ends[i]! })));
  for (const [i, leg] of legs.entries()) {
    const t = legTerms(leg, ends[i]!, aged[i]!, moved[i]!, levelled[i]!, ended[i]!, money);
    greeks.theta += t.theta;
    greeks.delta += t.delta;
    greeks.gamma += t.gamma;
    greeks.vega += t.vega;
    greeks.skew += t.skew;
  }
  const round = (v: number) => BigInt(Math.round(v));
  const hedgeMove = x.realised + hedgeMtm(to.hedge, to.snapshot.spot, pool) - hedgeMtm(from.hedge, from.snapshot.spot, pool);
  const parts = {
    lpFlows: x.lpFlows, premium: round(x.premium), fees: x.fees,
    theta: round(greeks.theta), delta: round(greeks.delta), gamma: round(greeks.gamma), vega: round(greeks.vega), skew: round(greeks.skew),
    hedgePnl: hedgeMove + round(x.slippage), hedgeCosts: -x.hedgeFees - round(x.slippage), funding: -x.funding,
  };
  const navChange = to.nav - from.nav;
  const explained = Object.values(parts).reduce((a, b) => a + b, 0n);
  return { from: from.seq, to: to.seq, navChange, sharePriceFrom: from.sharePrice, sharePriceTo: to.sharePrice, ...parts, unexplained: navChange - explained };
}
