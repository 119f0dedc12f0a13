// The pool's ledger: state as exact bigints, changed only by applyEvent() (ledger-apply.ts), in place: while an
// operation runs, every mutation goes through the state's undo log, so a refused operation is taken back at the
// cost of what it touched. Indexes (holders per series, series per expiry, open expiries in order, the recent trade
// cash window) are derived from the ledger and rebuilt by fromSnapshot(); the snapshot is the ledger alone.
import type { SeriesRef, SettlementSource, BreakerName } from "./events.js";
import { BookColumns } from "./book-columns.js";
import { FlowWindow } from "./flow-window.js";
import { UndoLog } from "./undo.js";
import { emptyHedge, type HedgeState } from "./hedge/accounting.js";

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
  /** Hedge P&L realised (signed), venue fees paid, and funding paid (signed; negative: received). */
  hedgeRealised: bigint;
  hedgeFees: bigint;
  hedgeFunding: bigint;
}

const NO_TOTALS = (): FlowTotals => ({
  paidIn: 0n, paidOut: 0n, premiums: 0n, fees: 0n, protocolFees: 0n, settlementPayouts: 0n, hedgeRealised: 0n, hedgeFees: 0n, hedgeFunding: 0n,
});

/** Dead entries a series' flow window keeps before it compacts (there is one window per series and side). */
export const SERIES_FLOW_MIN_DEAD = 16;

/** A trade still inside the IV impact window (the snapshot's "time:collateral:cash" entries of recentFlow). */
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

/** The last series keyed: one trade keys its series several times (quote, verification, apply, flow). */
let lastKeyed = { type: "", strikeUnits: -1n, expiry: -1, key: "" };

/** Key of a series in maps: "put:150000000000:1700000000". */
export function seriesKey(s: { type: string; strikeUnits: bigint; expiry: number }): string {
  const last = lastKeyed;
  if (s.expiry === last.expiry && s.strikeUnits === last.strikeUnits && s.type === last.type) return last.key;
  const key = `${s.type}:${s.strikeUnits}:${s.expiry}`;
  lastKeyed = { type: s.type, strikeUnits: s.strikeUnits, expiry: s.expiry, key };
  return key;
}

const NO_PAUSES = (): Record<BreakerName, number> => ({ liquidity: 0, ivJump: 0, settlement: 0 });

/** The whole ledger state of a pool, with its indexes. */
export class PoolState {
  /** Records the inverse of each mutation while an operation runs (pool-core.ts commit). */
  readonly undo = new UndoLog();
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
  breakerPausedUntil: Record<BreakerName, number> = NO_PAUSES();
  totals: FlowTotals = NO_TOTALS();
  /**
   * Recent trades per series and side (key: `${seriesKey}:${side}`), kept for `flowWindowSeconds` (the IV impact's
   * accumulated size): collateral summed, each trade's cash carried (RecentTrade in the snapshot).
   */
  recentFlow = new Map<string, FlowWindow>();
  /** Window of `recentFlow` (seconds; the pool sets it from ivImpactWindowSeconds; 0 keeps nothing). */
  flowWindowSeconds = 0;
  /** Trading is paused until this unix second (deviation from the time average; 0 = never paused). */
  tradingPausedUntil = 0;
  /** Every parameter change so far (paramsChanged events merged, key-sorted JSON text), or undefined: the configured ones. */
  params: string | undefined = undefined;
  /** Time of the last event (unix seconds): events never go back in time. */
  time = 0;
  /** Hash of the last event (the head of the chain; the genesis hash before any event). */
  hash = "";
  /** Seq of the last event that changed the open book (a trade or a settlement): greeks computed before it are stale. */
  bookSeq = 0;
  /** Prices of the settled expiries (key: expiry seconds). */
  settled = new Map<number, SettledPrice>();
  /** The delta hedge: position, basis, margin, pending order (pool/hedge/). */
  hedge: HedgeState = emptyHedge();

  // ---- indexes (derived from the ledger, not in the snapshot)
  /** series key → account → long size (the holders of a series: settlement touches only these). */
  holders = new Map<string, Map<string, bigint>>();
  /** expiry → keys of its open series. */
  seriesByExpiry = new Map<number, Set<string>>();
  /** Expiries with open series or pending protocol fees, ascending (what settlement walks). */
  openExpiries: number[] = [];
  /** The open series as columns (what valuation prices). */
  columns = new BookColumns();
  /** Trade cash of the impact window (every trade's, until the window passes), summed in O(log n). Ledger state. */
  recentCash = new FlowWindow();

  /** Total assets held: free + locked + reserved + the hedge's margin at its venue. */
  get assets(): bigint {
    return this.free + this.locked + this.reserved + this.hedge.margin;
  }

  /** LP withdrawals are paused until this unix second (the latest of the breakers' pauses). */
  get withdrawalsPausedUntil(): number {
    const b = this.breakerPausedUntil;
    return Math.max(b.liquidity, b.ivJump, b.settlement);
  }

  /** A plain, key-sorted, JSON-safe picture of the ledger (bigints as strings): equal states give equal text. */
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
      series: [...this.series.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([, s]) => ({ ...s, strikeUnits: s.strikeUnits.toString(), openSize: s.openSize.toString(), locked: s.locked.toString() })),
      positions: Object.fromEntries([...this.positions].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortMap(v)])),
      queue: this.queue.map((q) => ({ ...q, shares: q.shares.toString() })),
      nextWithdrawalId: this.nextWithdrawalId,
      breakerPausedUntil: { ...this.breakerPausedUntil },
      totals: Object.fromEntries(Object.entries(this.totals).map(([k, v]) => [k, (v as bigint).toString()])),
      recentFlow: Object.fromEntries(
        [...this.recentFlow].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v.entries()]),
      ),
      recentCash: this.recentCash.entries(),
      tradingPausedUntil: this.tradingPausedUntil,
      time: this.time,
      hash: this.hash,
      bookSeq: this.bookSeq,
      settled: [...this.settled].sort(([a], [b]) => a - b).map(([expiry, p]) => ({ expiry, price: p.price, priceUnits: p.priceUnits.toString(), source: p.source })),
      hedge: hedgeSnapshot(this.hedge),
      // Only once changed: the snapshot of a pool that never changed its parameters stays as it was.
      ...(this.params !== undefined ? { params: this.params } : {}),
    };
  }

  /** The state a snapshot() describes, with its indexes rebuilt (`flowWindowSeconds` is the pool's setting). */
  static fromSnapshot(snap: Record<string, unknown>, flowWindowSeconds: number): PoolState {
    const s = new PoolState();
    const o = snap as ReturnType<PoolState["snapshot"]> & Record<string, never>;
    const bigMap = (r: unknown) => new Map(Object.entries(r as Record<string, string>).map(([k, v]) => [k, BigInt(v)]));
    s.seq = o.seq as unknown as number;
    s.free = BigInt(o.free as unknown as string);
    s.locked = BigInt(o.locked as unknown as string);
    s.reserved = BigInt(o.reserved as unknown as string);
    s.totalSupply = BigInt(o.totalSupply as unknown as string);
    s.shares = bigMap(o.shares);
    s.claimable = bigMap(o.claimable);
    s.treasuryPending = bigMap(o.treasuryPending);
    for (const x of o.series as unknown as Record<string, string | number>[]) {
      const series: SeriesState = { type: x.type as "call" | "put", strike: x.strike as number, strikeUnits: BigInt(x.strikeUnits!), expiry: x.expiry as number, openSize: BigInt(x.openSize!), locked: BigInt(x.locked!) };
      s.series.set(seriesKey(series), series);
    }
    for (const [account, held] of Object.entries(o.positions as unknown as Record<string, Record<string, string>>)) s.positions.set(account, bigMap(held));
    s.queue = (o.queue as unknown as { id: number; owner: string; shares: string }[]).map((q) => ({ id: q.id, owner: q.owner, shares: BigInt(q.shares) }));
    s.nextWithdrawalId = o.nextWithdrawalId as unknown as number;
    s.breakerPausedUntil = { ...NO_PAUSES(), ...(o.breakerPausedUntil as unknown as Record<BreakerName, number>) };
    s.totals = { ...NO_TOTALS(), ...Object.fromEntries(Object.entries(o.totals as unknown as Record<string, string>).map(([k, v]) => [k, BigInt(v)])) };
    for (const [key, list] of Object.entries(o.recentFlow as unknown as Record<string, string[]>))
      s.recentFlow.set(key, FlowWindow.fromEntries(list, true, SERIES_FLOW_MIN_DEAD));
    s.flowWindowSeconds = flowWindowSeconds;
    s.recentCash = FlowWindow.fromEntries(o.recentCash as unknown as string[]);
    s.tradingPausedUntil = o.tradingPausedUntil as unknown as number;
    s.time = o.time as unknown as number;
    s.hash = o.hash as unknown as string;
    s.bookSeq = o.bookSeq as unknown as number;
    for (const p of o.settled as unknown as { expiry: number; price: number; priceUnits: string; source: SettlementSource }[])
      s.settled.set(p.expiry, { price: p.price, priceUnits: BigInt(p.priceUnits), source: p.source });
    s.hedge = hedgeFromSnapshot(o.hedge as unknown as ReturnType<typeof hedgeSnapshot> | undefined);
    if (typeof o.params === "string") s.params = o.params;
    s.rebuildIndexes();
    return s;
  }

  /** Rebuilds every index from the ledger (after a restore). */
  rebuildIndexes(): void {
    this.holders = new Map();
    this.seriesByExpiry = new Map();
    for (const [account, held] of this.positions)
      for (const [key, size] of held) {
        let h = this.holders.get(key);
        if (!h) this.holders.set(key, (h = new Map()));
        h.set(account, size);
      }
    for (const [key, s] of this.series) {
      let keys = this.seriesByExpiry.get(s.expiry);
      if (!keys) this.seriesByExpiry.set(s.expiry, (keys = new Set()));
      keys.add(key);
    }
    const expiries = new Set<number>(this.seriesByExpiry.keys());
    for (const key of this.treasuryPending.keys()) expiries.add(Number(key));
    this.openExpiries = [...expiries].sort((a, b) => a - b);
    this.columns = BookColumns.of(this.series, this.undo);
  }
}

function hedgeSnapshot(h: HedgeState) {
  const pending = h.pending && { ...h.pending, size: h.pending.size.toString() };
  return { size: h.size.toString(), entry: h.entry.toString(), margin: h.margin.toString(), pending: pending ?? null, nextOrderId: h.nextOrderId, fundedUntil: h.fundedUntil };
}

function hedgeFromSnapshot(o: ReturnType<typeof hedgeSnapshot> | undefined): HedgeState {
  if (!o) return emptyHedge();
  const pending = o.pending ? { ...o.pending, size: BigInt(o.pending.size) } : undefined;
  return { size: BigInt(o.size), entry: BigInt(o.entry), margin: BigInt(o.margin), pending, nextOrderId: o.nextOrderId, fundedUntil: o.fundedUntil };
}

/** Same-side collateral of `flowKey` traded within the window before `now` (the IV impact's recent flow r). */
export function recentCollateral(state: PoolState, flowKey: string, now: number): bigint {
  return state.recentFlow.get(flowKey)?.sumSince(now, state.flowWindowSeconds) ?? 0n;
}

/** Net trade cash that entered free liquidity within the window before `now`, over all series and sides. */
export function recentTradeCash(state: PoolState, now: number): bigint {
  return state.recentCash.sumSince(now, state.flowWindowSeconds);
}

export { applyEvent } from "./ledger-apply.js";
