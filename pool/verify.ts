// The verifying replay: before an event is applied, everything in it that follows from the state before it and the
// pool's settings is derived again and must match exactly. What cannot be derived without the oracle (spot, vols,
// NAV, settlement prices) is bounded where it can be and otherwise protected by the hash chain and the MAC.
//   deposit / redeem / withdrawalPaid  shares ⇄ assets by ERC-4626 at the recorded NAV, NAV within [free, free + locked]
//   trade                              the whole quote again (quote.ts) at the recorded spot and oracle vol
//   settle                             at or after expiry, the price's units and source timing, every payout, the
//                                      collateral released, the treasury and its fee
//   claim                              the whole claimable balance
//   circuitBreaker / tradingPaused     pause lengths within the pool's bounds; the deviation from its two values
// After it is applied: conservation (paid in − paid out = free + locked + reserved).
import { PoolError } from "./errors.js";
import type { PoolEvent } from "./events.js";
import { seriesKey, type PoolState } from "./ledger.js";
import { priceQuote, type QuoteContext } from "./quote.js";
import { settlementEvent, settlementUnits, type SettlementTiming } from "./settlement.js";
import { previewDeposit, previewMint, previewRedeem, previewWithdraw, redeemableShares, type ShareTotals } from "./shares.js";
import { canonicalEvent } from "./events.js";
import { hedgeValueBounds } from "./hedge/accounting.js";
import { verifyHedgeEvent } from "./hedge/verify.js";
import { paramsAfter } from "./params-change.js";

/** How much a replay re-derives: "full" (default) also reprices every trade; "ledger" skips the trade repricing (e.g. a log written under other fee parameters). */
export type VerifyLevel = "full" | "ledger";

/** What the verification needs of the pool. */
export interface VerifyContext {
  quote: QuoteContext & { shareOffset: number; treasury: string; params: SettlementTiming & QuoteContext["params"] };
  level: VerifyLevel;
}

function mismatch(e: PoolEvent, field: string, problem: string): never {
  throw new PoolError("REPLAY_MISMATCH", field, `seq ${e.seq} (${e.kind}): ${problem}`);
}

function totalsAt(ctx: VerifyContext, state: PoolState, e: PoolEvent, nav: bigint): ShareTotals {
  // NAV = free + locked − liability + hedge value, 0 ≤ liability ≤ locked (each series' mark is capped at its
  // collateral) and the hedge's value within its bounds over every spot (hedge/accounting.ts).
  const { low, high } = hedgeValueBounds(state.hedge);
  const min = low === undefined ? undefined : state.free + low;
  const max = high === undefined ? undefined : state.free + state.locked + high;
  if ((min !== undefined && nav < min) || (max !== undefined && nav > max)) mismatch(e, "nav", `NAV ${nav} outside [${min ?? "−∞"}, ${max ?? "∞"}] (free, locked, hedge)`);
  return { supply: state.totalSupply, nav, offset: ctx.quote.shareOffset };
}

function verifyLp(ctx: VerifyContext, state: PoolState, e: Extract<PoolEvent, { kind: "deposit" | "redeem" | "withdrawalPaid" }>): void {
  const t = totalsAt(ctx, state, e, e.nav);
  if (e.kind === "deposit") {
    const ok = e.by === "assets" ? e.shares === previewDeposit(e.assets, t) : e.assets === previewMint(e.shares, t);
    if (!ok) mismatch(e, e.by === "assets" ? "shares" : "assets", `shares ${e.shares} and assets ${e.assets} do not match at NAV ${e.nav}`);
    return;
  }
  if (e.kind === "redeem") {
    const ok = e.by === "shares" ? e.assets === previewRedeem(e.shares, t) : e.shares === previewWithdraw(e.assets, t);
    if (!ok) mismatch(e, e.by === "shares" ? "assets" : "shares", `shares ${e.shares} and assets ${e.assets} do not match at NAV ${e.nav}`);
    return;
  }
  const head = state.queue[0];
  if (!head || head.id !== e.id || head.owner !== e.owner) mismatch(e, "id", `withdrawal ${e.id} of ${e.owner} is not at the head of the queue`);
  if (e.shares !== redeemableShares(head.shares, state.free, t)) mismatch(e, "shares", `the queue head pays ${redeemableShares(head.shares, state.free, t)} shares, not ${e.shares}`);
  if (e.assets !== previewRedeem(e.shares, t)) mismatch(e, "assets", `${e.shares} shares pay ${previewRedeem(e.shares, t)}, not ${e.assets}`);
}

function verifyTrade(ctx: VerifyContext, state: PoolState, e: Extract<PoolEvent, { kind: "trade" }>): void {
  if (e.side === "sell") {
    const held = state.positions.get(e.trader)?.get(seriesKey(e.series)) ?? 0n;
    if (held < e.size) mismatch(e, "size", `${e.trader} holds ${held} of the series, sells ${e.size}`);
  }
  if (ctx.level !== "full") return;
  let q;
  try {
    q = priceQuote(ctx.quote, state, { ...e.series, size: e.size, side: e.side }, { spot: e.spot, volAt: () => e.oracleVol }, e.time);
  } catch (err) {
    if (err instanceof PoolError) mismatch(e, err.field, `the trade is not one the pool could make: ${err.message}`);
    throw err;
  }
  if (q.series.strikeUnits !== e.series.strikeUnits) mismatch(e, "series.strikeUnits", `strike ${e.series.strike} is ${q.series.strikeUnits} units`);
  repriced(e, "vol", q.volUsed);
  repriced(e, "premium", q.premium);
  repriced(e, "fees", q.fees);
  repriced(e, "protocolFee", q.protocolFee);
  repriced(e, "paid", q.total);
  repriced(e, "collateral", q.collateral);
}

/** Checks that the trade's `field` is `mine`, the re-priced value (one call per field: no list made per trade). */
function repriced<F extends "vol" | "premium" | "fees" | "protocolFee" | "paid" | "collateral">(
  e: Extract<PoolEvent, { kind: "trade" }>, field: F, mine: Extract<PoolEvent, { kind: "trade" }>[F],
): void {
  if (e[field] !== mine) mismatch(e, field, `re-priced to ${String(mine)}, event says ${String(e[field])}`);
}

function verifySettle(ctx: VerifyContext, state: PoolState, e: Extract<PoolEvent, { kind: "settle" }>): void {
  const { params, treasury } = ctx.quote;
  const D = params.maxSettlementDelaySeconds;
  const W = params.settlementFallbackWindowSeconds;
  if (e.time < e.expiry) mismatch(e, "time", `settled at ${e.time}, before expiry ${e.expiry}`);
  if (e.priceUnits !== settlementUnits(e.price, ctx.quote.collateral, ctx.quote)) mismatch(e, "priceUnits", `price ${e.price} is not ${e.priceUnits} units`);
  const timely =
    e.source === "print" ? e.observedAt >= e.expiry && e.observedAt <= e.expiry + D
      : e.source === "twap" ? e.observedAt === e.expiry + D + W && e.time >= e.observedAt
        : e.observedAt === e.time && e.time >= e.expiry + D + W && e.reason.length > 0;
  if (!timely) mismatch(e, "observedAt", `a ${e.source} price observed at ${e.observedAt} does not fit expiry ${e.expiry} settled at ${e.time}`);
  if (e.treasury !== treasury) mismatch(e, "treasury", `the pool's treasury is ${treasury}`);
  const expected = settlementEvent(state, e.expiry, e, { ...ctx.quote, treasury }, e.reason);
  if (canonicalEvent({ ...expected, seq: e.seq, time: e.time }) !== canonicalEvent(e))
    mismatch(e, "payouts", "payouts, released collateral or treasury fee differ from the positions and fees at this expiry");
}

/** Checks `e` against `state` (the state before it); throws PoolError("REPLAY_MISMATCH") naming its seq and field. */
export function verifyEvent(ctx: VerifyContext, state: PoolState, e: PoolEvent): void {
  const maxPause = ctx.quote.params.maxPauseSeconds;
  switch (e.kind) {
    case "deposit":
    case "redeem":
    case "withdrawalPaid":
      return verifyLp(ctx, state, e);
    case "withdrawalQueued":
      if (e.id !== state.nextWithdrawalId) mismatch(e, "id", `the next withdrawal id is ${state.nextWithdrawalId}`);
      return;
    case "trade":
      return verifyTrade(ctx, state, e);
    case "settle":
      return verifySettle(ctx, state, e);
    case "claim":
      if (e.assets !== (state.claimable.get(e.account) ?? 0n)) mismatch(e, "assets", `${e.account} can claim ${state.claimable.get(e.account) ?? 0n}`);
      return;
    case "circuitBreaker":
      if (!(e.pausedUntil > e.time && e.pausedUntil <= e.time + maxPause)) mismatch(e, "pausedUntil", `a pause must end within (time, time + ${maxPause} s]`);
      return;
    case "tradingPaused":
      if (e.pausedUntil !== e.time + ctx.quote.params.tradingPauseSeconds) mismatch(e, "pausedUntil", `a deviation pause lasts ${ctx.quote.params.tradingPauseSeconds} s`);
      if (e.deviation !== Math.abs(Math.log(e.latest / e.average)) || e.deviation <= ctx.quote.params.maxTwapDeviation)
        mismatch(e, "deviation", `|ln(${e.latest} / ${e.average})| is not ${e.deviation}, or not above the limit`);
      return;
    case "pauseLifted":
      if (e.reason.trim().length === 0) mismatch(e, "reason", "an operator lifting a pause says why");
      return;
    case "paramsChanged":
      if (e.reason.trim().length === 0) mismatch(e, "reason", "an operator changing parameters says why");
      return void paramsAfter(ctx.quote.params, e);
    case "hedgeOrder":
    case "hedgeFill":
    case "hedgeFailed":
    case "hedgeFunding":
      return verifyHedgeEvent(ctx.quote, state, e);
    default:
      return;
  }
}

/** Conservation after an event: everything paid in, with the hedge's settled P&L, is held or was paid out. */
export function checkConservation(state: PoolState, e: PoolEvent): void {
  const t = state.totals;
  const hedged = t.hedgeRealised - t.hedgeFees - t.hedgeFunding;
  if (t.paidIn - t.paidOut + hedged !== state.assets)
    mismatch(e, "totals", `paid in ${t.paidIn} − paid out ${t.paidOut} + hedge ${hedged} ≠ free + locked + reserved + margin ${state.assets}`);
}
