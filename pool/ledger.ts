// The pool's ledger: state as exact bigints, changed only by applyEvent(). Commands in option-pool.ts build
// events against a draft copy and commit the draft only when the whole operation succeeded.
import { PoolError } from "./errors.js";
import type { BreakerName, PoolEvent, SeriesRef, SettlementSource } from "./events.js";

/** One open series the pool is short. */
export interface SeriesState extends SeriesRef {
  /** Open size (size units) = sum of the holders' long positions. */
  openSize: bigint;
  /** Collateral locked for this series (base units). */
  locked: bigint;
}

/** A queued withdrawal: shares escrowed until free liquidity pays them (FIFO). */
export interface QueuedWithdrawal {
  id: number;
  owner: string;
  shares: bigint;
}

/** Cumulative flows, for the conservation check and reports (base units). */
export interface FlowTotals {
  /** Everything that ever came in: deposits, donations, premiums and fees paid by buyers. */
  paidIn: bigint;
  /** Everything that ever went out: redemptions, withdrawals, sale proceeds, claims. */
  paidOut: bigint;
  premiums: bigint;
  fees: bigint;
  protocolFees: bigint;
  settlementPayouts: bigint;
}

/** A trade still inside the IV impact window. */
export interface RecentTrade {
  /** Unix seconds of the trade. */
  time: number;
  /** Collateral locked (buy) or unlocked (sell), base units. */
  collateral: bigint;
  /** Trade cash into free liquidity: buys paid − protocol fee, sells −(paid + protocol fee). */
  cash: bigint;
}

/** A settled expiry's price, as recorded by its `settle` event. */
export interface SettledPrice {
  price: number;
  priceUnits: bigint;
  source: SettlementSource;
}

/** Key of a series in maps: "put:150000000000:1700000000". */
export function seriesKey(s: { type: string; strikeUnits: bigint; expiry: number }): string {
  return `${s.type}:${s.strikeUnits}:${s.expiry}`;
}

function add(map: Map<string, bigint>, key: string, delta: bigint, field: string): void {
  const next = (map.get(key) ?? 0n) + delta;
  if (next < 0n) throw new PoolError("REPLAY_MISMATCH", field, `${key} would go negative`);
  if (next === 0n) map.delete(key);
  else map.set(key, next);
}

/** The whole ledger state of a pool. */
export class PoolState {
  seq = 0;
  /** Free liquidity owned by LPs (base units). */
  free = 0n;
  /** Collateral locked for open positions. */
  locked = 0n;
  /** Owed to others: settled payouts and treasury fees (claimable or pending their expiry). */
  reserved = 0n;
  /** All shares, including those escrowed in the withdrawal queue. */
  totalSupply = 0n;
  shares = new Map<string, bigint>();
  claimable = new Map<string, bigint>();
  /** Protocol fees per expiry (key: expiry seconds as string), paid to the treasury at settlement. */
  treasuryPending = new Map<string, bigint>();
  series = new Map<string, SeriesState>();
  /** account → series key → long size. */
  positions = new Map<string, Map<string, bigint>>();
  queue: QueuedWithdrawal[] = [];
  nextWithdrawalId = 1;
  /** Per breaker: LP withdrawals (direct and queued) are paused until this unix second (0 = never tripped). */
  breakerPausedUntil: Record<BreakerName, number> = { liquidity: 0, ivJump: 0, settlement: 0 };
  totals: FlowTotals = { paidIn: 0n, paidOut: 0n, premiums: 0n, fees: 0n, protocolFees: 0n, settlementPayouts: 0n };
  /**
   * Recent trades per series and side (key: `${seriesKey}:${side}`): time and collateral, kept for
   * `flowWindowSeconds` after each trade (the IV impact's accumulated size, rebuilt exactly by replay).
   */
  recentFlow = new Map<string, RecentTrade[]>();
  /** Window of `recentFlow` (seconds; the pool sets it from ivImpactWindowSeconds; 0 keeps nothing). */
  flowWindowSeconds = 0;
  /** Trading is paused until this unix second (deviation from the time average; 0 = never paused). */
  tradingPausedUntil = 0;
  /** Time of the last event (unix seconds): events never go back in time. */
  time = 0;
  /** Hash of the last event (the head of the chain; the genesis hash before any event). */
  hash = "";
  /** Seq of the last event that changed the open book (a trade or a settlement): greeks computed before it are stale. */
  bookSeq = 0;
  /** Prices of the settled expiries (key: expiry seconds). */
  settled = new Map<number, SettledPrice>();

  /** LP withdrawals are paused until this unix second (the latest of the breakers' pauses). */
  get withdrawalsPausedUntil(): number {
    const b = this.breakerPausedUntil;
    return Math.max(b.liquidity, b.ivJump, b.settlement);
  }

  /** A deep copy (the draft of an operation). */
  clone(): PoolState {
    const c = new PoolState();
    c.seq = this.seq;
    c.free = this.free;
    c.locked = this.locked;
    c.reserved = this.reserved;
    c.totalSupply = this.totalSupply;
    c.shares = new Map(this.shares);
    c.claimable = new Map(this.claimable);
    c.treasuryPending = new Map(this.treasuryPending);
    c.series = new Map([...this.series].map(([k, v]) => [k, { ...v }]));
    c.positions = new Map([...this.positions].map(([k, v]) => [k, new Map(v)]));
    c.queue = this.queue.map((q) => ({ ...q }));
    c.nextWithdrawalId = this.nextWithdrawalId;
    c.breakerPausedUntil = { ...this.breakerPausedUntil };
    c.totals = { ...this.totals };
    c.recentFlow = new Map([...this.recentFlow].map(([k, v]) => [k, v.map((f) => ({ ...f }))]));
    c.flowWindowSeconds = this.flowWindowSeconds;
    c.tradingPausedUntil = this.tradingPausedUntil;
    c.time = this.time;
    c.hash = this.hash;
    c.bookSeq = this.bookSeq;
    c.settled = new Map(this.settled);
    return c;
  }

  /** Total assets held: free + locked + reserved. */
  get assets(): bigint {
    return this.free + this.locked + this.reserved;
  }

  /** A plain, key-sorted, JSON-safe picture of the state (bigints as strings): equal states give equal text. */
  snapshot(): Record<string, unknown> {
    const sortMap = (m: Map<string, bigint>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v.toString()]));
    return {
      seq: this.seq,
      free: this.free.toString(),
      locked: this.locked.toString(),
      reserved: this.reserved.toString(),
      totalSupply: this.totalSupply.toString(),
      shares: sortMap(this.shares),
      claimable: sortMap(this.claimable),
      treasuryPending: sortMap(this.treasuryPending),
      series: [...this.series.values()]
        .map((s) => ({ ...s, strikeUnits: s.strikeUnits.toString(), openSize: s.openSize.toString(), locked: s.locked.toString() }))
        .sort((a, b) => (seriesKey({ ...a, strikeUnits: BigInt(a.strikeUnits) }) < seriesKey({ ...b, strikeUnits: BigInt(b.strikeUnits) }) ? -1 : 1)),
      positions: Object.fromEntries([...this.positions].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortMap(v)])),
      queue: this.queue.map((q) => ({ ...q, shares: q.shares.toString() })),
      nextWithdrawalId: this.nextWithdrawalId,
      breakerPausedUntil: { ...this.breakerPausedUntil },
      totals: Object.fromEntries(Object.entries(this.totals).map(([k, v]) => [k, (v as bigint).toString()])),
      recentFlow: Object.fromEntries(
        [...this.recentFlow].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v.map((f) => `${f.time}:${f.collateral}:${f.cash}`)]),
      ),
      tradingPausedUntil: this.tradingPausedUntil,
      time: this.time,
      hash: this.hash,
      bookSeq: this.bookSeq,
      settled: [...this.settled].sort(([a], [b]) => a - b).map(([expiry, p]) => ({ expiry, price: p.price, priceUnits: p.priceUnits.toString(), source: p.source })),
    };
  }
}

function debit(state: PoolState, field: "free" | "locked" | "reserved", amount: bigint): void {
  if (amount < 0n || state[field] < amount) throw new PoolError("REPLAY_MISMATCH", field, `cannot take ${amount} from ${state[field]}`);
  state[field] -= amount;
}

/** Same-side collateral of `flowKey` traded within the window before `now` (the IV impact's recent flow r). */
export function recentCollateral(state: PoolState, flowKey: string, now: number): bigint {
  let sum = 0n;
  for (const f of state.recentFlow.get(flowKey) ?? []) if (f.time > now - state.flowWindowSeconds) sum += f.collateral;
  return sum;
}

/** Net trade cash that entered free liquidity within the window before `now`, over all series and sides. */
export function recentTradeCash(state: PoolState, now: number): bigint {
  let sum = 0n;
  for (const list of state.recentFlow.values()) for (const f of list) if (f.time > now - state.flowWindowSeconds) sum += f.cash;
  return sum;
}

function recordFlow(state: PoolState, flowKey: string, time: number, collateral: bigint, cash: bigint): void {
  const kept = (state.recentFlow.get(flowKey) ?? []).filter((f) => f.time > time - state.flowWindowSeconds);
  if (state.flowWindowSeconds > 0) kept.push({ time, collateral, cash });
  if (kept.length > 0) state.recentFlow.set(flowKey, kept);
  else state.recentFlow.delete(flowKey);
}

/**
 * Applies one event to `state` (mutating it). Throws PoolError("REPLAY_MISMATCH") when the event does not fit
 * the state (wrong sequence number, a balance going negative): a corrupted or reordered log is refused.
 */
export function applyEvent(state: PoolState, e: PoolEvent): void {
  if (e.seq !== state.seq + 1) throw new PoolError("REPLAY_MISMATCH", "seq", `expected seq ${state.seq + 1}, got ${String(e.seq)}`);
  if (e.time < state.time) throw new PoolError("REPLAY_MISMATCH", "time", `seq ${e.seq}: time ${e.time} is before the previous event's ${state.time}`);
  switch (e.kind) {
    case "deposit":
      state.free += e.assets;
      state.totals.paidIn += e.assets;
      add(state.shares, e.owner, e.shares, "shares");
      state.totalSupply += e.shares;
      break;
    case "donate":
      state.free += e.assets;
      state.totals.paidIn += e.assets;
      break;
    case "redeem":
      add(state.shares, e.owner, -e.shares, "shares");
      state.totalSupply -= e.shares;
      debit(state, "free", e.assets);
      state.totals.paidOut += e.assets;
      break;
    case "withdrawalQueued":
      add(state.shares, e.owner, -e.shares, "shares");
      state.queue.push({ id: e.id, owner: e.owner, shares: e.shares });
      state.nextWithdrawalId = Math.max(state.nextWithdrawalId, e.id + 1);
      break;
    case "withdrawalPaid": {
      const head = state.queue[0];
      if (!head || head.id !== e.id || head.shares < e.shares) throw new PoolError("REPLAY_MISMATCH", "id", `withdrawal ${e.id} is not at the head of the queue`);
      head.shares -= e.shares;
      if (head.shares === 0n) state.queue.shift();
      state.totalSupply -= e.shares;
      debit(state, "free", e.assets);
      state.totals.paidOut += e.assets;
      break;
    }
    case "withdrawalCancelled": {
      const i = state.queue.findIndex((q) => q.id === e.id);
      if (i < 0 || state.queue[i]!.shares !== e.shares) throw new PoolError("REPLAY_MISMATCH", "id", `no queued withdrawal ${e.id}`);
      state.queue.splice(i, 1);
      add(state.shares, e.owner, e.shares, "shares");
      break;
    }
    case "trade": {
      const key = seriesKey(e.series);
      const expiryKey = String(e.series.expiry);
      let held = state.positions.get(e.trader);
      if (!held) state.positions.set(e.trader, (held = new Map()));
      if (e.side === "buy") {
        const s = state.series.get(key) ?? { ...e.series, openSize: 0n, locked: 0n };
        state.series.set(key, s);
        s.openSize += e.size;
        s.locked += e.collateral;
        add(held, key, e.size, "size");
        state.free += e.paid - e.protocolFee;
        debit(state, "free", e.collateral);
        state.locked += e.collateral;
        state.totals.paidIn += e.paid;
      } else {
        const s = state.series.get(key);
        if (!s || s.openSize < e.size || s.locked < e.collateral) throw new PoolError("REPLAY_MISMATCH", "series", `no open ${key} to close`);
        add(held, key, -e.size, "size");
        s.openSize -= e.size;
        s.locked -= e.collateral;
        if (s.openSize === 0n) {
          if (s.locked !== 0n) throw new PoolError("REPLAY_MISMATCH", "collateral", `${key} closed with collateral left`);
          state.series.delete(key);
        }
        debit(state, "locked", e.collateral);
        state.free += e.collateral;
        debit(state, "free", e.paid + e.protocolFee);
        state.totals.paidOut += e.paid;
      }
      if (held.size === 0) state.positions.delete(e.trader);
      state.reserved += e.protocolFee;
      add(state.treasuryPending, expiryKey, e.protocolFee, "protocolFee");
      recordFlow(state, `${key}:${e.side}`, e.time, e.collateral, e.side === "buy" ? e.paid - e.protocolFee : -(e.paid + e.protocolFee));
      state.totals.premiums += e.premium;
      state.totals.fees += e.fees;
      state.totals.protocolFees += e.protocolFee;
      state.bookSeq = e.seq;
      break;
    }
    case "settle": {
      if (state.settled.has(e.expiry)) throw new PoolError("REPLAY_MISMATCH", "expiry", `seq ${e.seq}: expiry ${e.expiry} is already settled`);
      let released = 0n;
      for (const [key, s] of [...state.series]) {
        if (s.expiry !== e.expiry) continue;
        released += s.locked;
        state.series.delete(key);
        state.recentFlow.delete(`${key}:buy`);
        state.recentFlow.delete(`${key}:sell`);
        for (const [account, held] of [...state.positions]) {
          held.delete(key);
          if (held.size === 0) state.positions.delete(account);
        }
      }
      if (released !== e.unlocked) throw new PoolError("REPLAY_MISMATCH", "unlocked", `expected ${released}, event says ${e.unlocked}`);
      let owed = 0n;
      for (const p of e.payouts) {
        owed += p.amount;
        add(state.claimable, p.account, p.amount, "amount");
      }
      debit(state, "locked", released);
      state.free += released;
      debit(state, "free", owed);
      state.reserved += owed;
      state.totals.settlementPayouts += owed;
      state.settled.set(e.expiry, { price: e.price, priceUnits: e.priceUnits, source: e.source });
      state.bookSeq = e.seq;
      const expiryKey = String(e.expiry);
      const pending = state.treasuryPending.get(expiryKey) ?? 0n;
      if (pending !== e.treasuryFee) throw new PoolError("REPLAY_MISMATCH", "treasuryFee", `expected ${pending}, event says ${e.treasuryFee}`);
      state.treasuryPending.delete(expiryKey);
      add(state.claimable, e.treasury, e.treasuryFee, "treasuryFee");
      break;
    }
    case "claim":
      add(state.claimable, e.account, -e.assets, "assets");
      debit(state, "reserved", e.assets);
      state.totals.paidOut += e.assets;
      break;
    case "circuitBreaker":
      state.breakerPausedUntil[e.breaker] = Math.max(state.breakerPausedUntil[e.breaker], e.pausedUntil);
      break;
    case "tradingPaused":
      state.tradingPausedUntil = Math.max(state.tradingPausedUntil, e.pausedUntil);
      break;
    case "pauseLifted":
      if (e.scope === "trading") state.tradingPausedUntil = 0;
      else state.breakerPausedUntil = { liquidity: 0, ivJump: 0, settlement: 0 };
      break;
    default:
      throw new PoolError("INVALID_EVENT", "kind", `seq ${(e as PoolEvent).seq}: unknown event kind`);
  }
  state.seq = e.seq;
  state.time = e.time;
  state.hash = e.hash;
}
