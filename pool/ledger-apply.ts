// The ledger's transitions: applyEvent() is the only code that changes a PoolState, and every change goes through the
// state's undo log (pool/undo.ts) so an operation can be taken back. It refuses (PoolError REPLAY_MISMATCH) an event
// that does not fit: a wrong sequence number, time going back, a balance going negative, a settlement that releases
// other collateral than its series hold.
import { PoolError } from "./errors.js";
import type { PoolEvent, SeriesRef } from "./events.js";
import { SERIES_FLOW_MIN_DEAD, seriesKey, type PoolState, type SeriesState } from "./ledger.js";
import { FlowWindow } from "./flow-window.js";
import { applyHedgeEvent } from "./hedge/apply.js";
import { mergedChanges } from "./params-change.js";

type Balance = "free" | "locked" | "reserved";

function mismatch(field: string, problem: string): never {
  throw new PoolError("REPLAY_MISMATCH", field, problem);
}

/** map[key] += delta, deleting zero entries; negative results refused. */
function add(state: PoolState, map: Map<string, bigint>, key: string, delta: bigint, field: string): void {
  const next = (map.get(key) ?? 0n) + delta;
  if (next < 0n) mismatch(field, `${key} would go negative`);
  if (next === 0n) state.undo.mapDelete(map, key);
  else state.undo.mapSet(map, key, next);
}

function credit(state: PoolState, field: Balance, amount: bigint): void {
  state.undo.set(state, field, state[field] + amount);
}

function debit(state: PoolState, field: Balance, amount: bigint): void {
  if (amount < 0n || state[field] < amount) mismatch(field, `cannot take ${amount} from ${state[field]}`);
  state.undo.set(state, field, state[field] - amount);
}

function total(state: PoolState, field: keyof PoolState["totals"], amount: bigint): void {
  state.undo.set(state.totals, field, state.totals[field] + amount);
}

/** A holder's long size in a series changes by `delta` (both the positions and the holders index). */
function hold(state: PoolState, account: string, key: string, delta: bigint): void {
  const u = state.undo;
  let held = state.positions.get(account);
  if (!held) u.mapSet(state.positions, account, (held = new Map()));
  add(state, held, key, delta, "size");
  if (held.size === 0) u.mapDelete(state.positions, account);
  let holders = state.holders.get(key);
  if (!holders) u.mapSet(state.holders, key, (holders = new Map()));
  add(state, holders, account, delta, "size");
  if (holders.size === 0) u.mapDelete(state.holders, key);
}

/** Keeps `expiry` in the ascending list of open expiries while it has series or pending fees. */
function trackExpiry(state: PoolState, expiry: number): void {
  const open = (state.seriesByExpiry.get(expiry)?.size ?? 0) > 0 || state.treasuryPending.has(String(expiry));
  const list = state.openExpiries;
  let i = 0;
  let hi = list.length;
  while (i < hi) {
    const mid = (i + hi) >>> 1;
    if (list[mid]! < expiry) i = mid + 1;
    else hi = mid;
  }
  const present = list[i] === expiry;
  if (open && !present) state.undo.splice(list, i, 0, expiry);
  else if (!open && present) state.undo.splice(list, i, 1);
}

function openSeries(state: PoolState, ref: SeriesRef, key: string): SeriesState {
  const existing = state.series.get(key);
  if (existing) return existing;
  const s: SeriesState = { type: ref.type, strike: ref.strike, strikeUnits: ref.strikeUnits, expiry: ref.expiry, openSize: 0n, locked: 0n };
  state.undo.mapSet(state.series, key, s);
  state.columns.open(state.undo, key, s);
  let keys = state.seriesByExpiry.get(ref.expiry);
  if (!keys) state.undo.mapSet(state.seriesByExpiry, ref.expiry, (keys = new Set()));
  keys.add(key);
  state.undo.record(() => keys.delete(key));
  return s;
}

/** Removes a series that has no open size left (its recent flow stays: closing does not reset the IV impact). */
function closeSeries(state: PoolState, key: string, s: SeriesState): void {
  state.undo.mapDelete(state.series, key);
  state.columns.close(state.undo, key);
  const keys = state.seriesByExpiry.get(s.expiry)!;
  keys.delete(key);
  state.undo.record(() => keys.add(key));
  if (keys.size === 0) state.undo.mapDelete(state.seriesByExpiry, s.expiry);
}

function recordFlow(state: PoolState, flowKey: string, time: number, collateral: bigint, cash: bigint): void {
  const window = state.flowWindowSeconds;
  if (window <= 0) return void state.undo.mapDelete(state.recentFlow, flowKey);
  let flow = state.recentFlow.get(flowKey);
  if (!flow) state.undo.mapSet(state.recentFlow, flowKey, (flow = new FlowWindow(true, SERIES_FLOW_MIN_DEAD)));
  flow.add(state.undo, time, collateral, window, cash);
  state.recentCash.add(state.undo, time, cash, window);
}

function applyTrade(state: PoolState, e: Extract<PoolEvent, { kind: "trade" }>): void {
  const key = seriesKey(e.series);
  const u = state.undo;
  if (e.side === "buy") {
    const s = openSeries(state, e.series, key);
    u.set(s, "openSize", s.openSize + e.size);
    u.set(s, "locked", s.locked + e.collateral);
    state.columns.update(u, key, s);
    hold(state, e.trader, key, e.size);
    credit(state, "free", e.paid - e.protocolFee);
    debit(state, "free", e.collateral);
    credit(state, "locked", e.collateral);
    total(state, "paidIn", e.paid);
  } else {
    const s = state.series.get(key);
    if (!s || s.openSize < e.size || s.locked < e.collateral) mismatch("series", `no open ${key} to close`);
    hold(state, e.trader, key, -e.size);
    u.set(s, "openSize", s.openSize - e.size);
    u.set(s, "locked", s.locked - e.collateral);
    if (s.openSize > 0n) state.columns.update(u, key, s);
    if (s.openSize === 0n) {
      if (s.locked !== 0n) mismatch("collateral", `${key} closed with collateral left`);
      closeSeries(state, key, s);
    }
    debit(state, "locked", e.collateral);
    credit(state, "free", e.collateral);
    debit(state, "free", e.paid + e.protocolFee);
    total(state, "paidOut", e.paid);
  }
  credit(state, "reserved", e.protocolFee);
  add(state, state.treasuryPending, String(e.series.expiry), e.protocolFee, "protocolFee");
  trackExpiry(state, e.series.expiry);
  recordFlow(state, `${key}:${e.side}`, e.time, e.collateral, e.side === "buy" ? e.paid - e.protocolFee : -(e.paid + e.protocolFee));
  total(state, "premiums", e.premium);
  total(state, "fees", e.fees);
  total(state, "protocolFees", e.protocolFee);
  u.set(state, "bookSeq", e.seq);
}

/**
 * Takes every holder's position in series `key` away at its settlement: each account's position goes, and the
 * series' holder index goes whole (one delete, not one per holder: the index is dropped with the series, and the
 * undo log restores that same, untouched map).
 */
function releaseHolders(state: PoolState, key: string): void {
  const holders = state.holders.get(key);
  if (!holders) return;
  // One undo record for the whole series (not two closures per holder), made before the loop so that a refusal
  // in the middle still takes back what was done: it restores, newest first, what the loop took.
  const taken: [account: string, held: Map<string, bigint>, size: bigint, emptied: boolean][] = [];
  const positions = state.positions;
  state.undo.record(() => {
    for (let i = taken.length - 1; i >= 0; i--) {
      const [account, held, size, emptied] = taken[i]!;
      if (emptied) positions.set(account, held);
      held.set(key, size);
    }
  });
  const recording = state.undo.active;
  for (const [account, size] of holders) {
    const held = positions.get(account);
    if (held?.get(key) !== size) mismatch("size", `${account}'s position in ${key} differs from the series' holder index`);
    held.delete(key);
    const emptied = held.size === 0;
    if (emptied) positions.delete(account);
    if (recording) taken.push([account, held, size, emptied]);
  }
  state.undo.mapDelete(state.holders, key);
}

/** Credits each payout to its account's claimable balance (one undo record for the list, made before any change). */
function creditPayouts(state: PoolState, payouts: readonly { account: string; amount: bigint }[]): bigint {
  const claimable = state.claimable;
  const keys: string[] = [];
  const previous: (bigint | undefined)[] = [];
  state.undo.restoreMap(claimable, keys, previous);
  const recording = state.undo.active;
  let owed = 0n;
  for (const p of payouts) {
    owed += p.amount;
    const before = claimable.get(p.account);
    const next = (before ?? 0n) + p.amount;
    if (next < 0n) mismatch("amount", `${p.account} would go negative`);
    if (recording) keys.push(p.account), previous.push(before);
    if (next === 0n) claimable.delete(p.account);
    else claimable.set(p.account, next);
  }
  return owed;
}

function applySettle(state: PoolState, e: Extract<PoolEvent, { kind: "settle" }>): void {
  if (state.settled.has(e.expiry)) mismatch("expiry", `seq ${e.seq}: expiry ${e.expiry} is already settled`);
  let released = 0n;
  for (const key of [...(state.seriesByExpiry.get(e.expiry) ?? [])]) {
    const s = state.series.get(key)!;
    released += s.locked;
    releaseHolders(state, key);
    closeSeries(state, key, s);
    state.undo.mapDelete(state.recentFlow, `${key}:buy`);
    state.undo.mapDelete(state.recentFlow, `${key}:sell`);
  }
  if (released !== e.unlocked) mismatch("unlocked", `expected ${released}, event says ${e.unlocked}`);
  const owed = creditPayouts(state, e.payouts);
  debit(state, "locked", released);
  credit(state, "free", released);
  debit(state, "free", owed);
  credit(state, "reserved", owed);
  total(state, "settlementPayouts", owed);
  state.undo.mapSet(state.settled, e.expiry, { price: e.price, priceUnits: e.priceUnits, source: e.source });
  const pending = state.treasuryPending.get(String(e.expiry)) ?? 0n;
  if (pending !== e.treasuryFee) mismatch("treasuryFee", `expected ${pending}, event says ${e.treasuryFee}`);
  state.undo.mapDelete(state.treasuryPending, String(e.expiry));
  trackExpiry(state, e.expiry);
  add(state, state.claimable, e.treasury, e.treasuryFee, "treasuryFee");
  state.undo.set(state, "bookSeq", e.seq);
}

function applyQueue(state: PoolState, e: Extract<PoolEvent, { kind: "withdrawalQueued" | "withdrawalPaid" | "withdrawalCancelled" }>): void {
  const u = state.undo;
  if (e.kind === "withdrawalQueued") {
    add(state, state.shares, e.owner, -e.shares, "shares");
    u.push(state.queue, { id: e.id, owner: e.owner, shares: e.shares });
    u.set(state, "nextWithdrawalId", Math.max(state.nextWithdrawalId, e.id + 1));
  } else if (e.kind === "withdrawalPaid") {
    const head = state.queue[0];
    if (!head || head.id !== e.id || head.shares < e.shares) mismatch("id", `withdrawal ${e.id} is not at the head of the queue`);
    u.set(head, "shares", head.shares - e.shares);
    if (head.shares === 0n) u.splice(state.queue, 0, 1);
    u.set(state, "totalSupply", state.totalSupply - e.shares);
    debit(state, "free", e.assets);
    total(state, "paidOut", e.assets);
  } else {
    const i = state.queue.findIndex((q) => q.id === e.id);
    if (i < 0 || state.queue[i]!.shares !== e.shares) mismatch("id", `no queued withdrawal ${e.id}`);
    u.splice(state.queue, i, 1);
    add(state, state.shares, e.owner, e.shares, "shares");
  }
}

/** Applies one event to `state` in place (recorded in its undo log). Throws PoolError("REPLAY_MISMATCH") when it does not fit. */
export function applyEvent(state: PoolState, e: PoolEvent): void {
  if (e.seq !== state.seq + 1) mismatch("seq", `expected seq ${state.seq + 1}, got ${String(e.seq)}`);
  if (e.time < state.time) mismatch("time", `seq ${e.seq}: time ${e.time} is before the previous event's ${state.time}`);
  const u = state.undo;
  switch (e.kind) {
    case "deposit":
      credit(state, "free", e.assets);
      total(state, "paidIn", e.assets);
      add(state, state.shares, e.owner, e.shares, "shares");
      u.set(state, "totalSupply", state.totalSupply + e.shares);
      break;
    case "donate":
      credit(state, "free", e.assets);
      total(state, "paidIn", e.assets);
      break;
    case "redeem":
      add(state, state.shares, e.owner, -e.shares, "shares");
      u.set(state, "totalSupply", state.totalSupply - e.shares);
      debit(state, "free", e.assets);
      total(state, "paidOut", e.assets);
      break;
    case "withdrawalQueued":
    case "withdrawalPaid":
    case "withdrawalCancelled":
      applyQueue(state, e);
      break;
    case "trade":
      applyTrade(state, e);
      break;
    case "settle":
      applySettle(state, e);
      break;
    case "claim":
      add(state, state.claimable, e.account, -e.assets, "assets");
      debit(state, "reserved", e.assets);
      total(state, "paidOut", e.assets);
      break;
    case "circuitBreaker":
      u.set(state.breakerPausedUntil, e.breaker, Math.max(state.breakerPausedUntil[e.breaker], e.pausedUntil));
      break;
    case "tradingPaused":
      u.set(state, "tradingPausedUntil", Math.max(state.tradingPausedUntil, e.pausedUntil));
      break;
    case "paramsChanged":
      u.set(state, "params", mergedChanges(state.params, e.changes));
      break;
    case "pauseLifted":
      if (e.scope === "trading") u.set(state, "tradingPausedUntil", 0);
      else u.set(state, "breakerPausedUntil", { liquidity: 0, ivJump: 0, settlement: 0 });
      break;
    case "hedgeOrder":
    case "hedgeFill":
    case "hedgeFailed":
    case "hedgeFunding":
      applyHedgeEvent(state, e);
      break;
    default:
      mismatch("kind", `seq ${(e as PoolEvent).seq}: unknown event kind`);
  }
  u.set(state, "seq", e.seq);
  u.set(state, "time", e.time);
  u.set(state, "hash", e.hash);
}
