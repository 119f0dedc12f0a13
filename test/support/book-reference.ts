// A brute-force reference of the peer book for equivalence tests: the routing and event rules of PeerBook written
// the plain way (orders in an array, every lookup a scan and a sort, each operation on a structured clone that
// replaces the state only when it succeeds). It emits event bodies with their seq and time but seals nothing: the
// tests compare canonical text. It trusts its callers for input form (sizes > 0, listed series) and refuses only
// what depends on the book: expired series, funds, resting across one's own order, unknown orders, nothing to do.
import { collateralFor, OptionPool, payoutFor, PoolError, seriesKey, type Quote, type SeriesRef } from "../../pool/index.js";
import { mulDiv, pow10 } from "../../pool/units.js";
import { seriesRefOf } from "../../pool/series.js";
import type { BookEventBody, BookOrder, FillReport, PeerSeries, RestingOrder, SeriesSpec } from "../../pool/book/index.js";

type Body = BookEventBody & { seq: number; time: number };

interface RefState {
  seq: number;
  nextId: number;
  orders: RestingOrder[];
  positions: Map<string, PeerSeries>;
  claimable: Map<string, bigint>;
}

export class ReferenceBook {
  state: RefState = { seq: 0, nextId: 1, orders: [], positions: new Map(), claimable: new Map() };
  /** Events of the last operation (a refused one: none, or the poolOrder and poolFailed of a pool part the pool refused). */
  emitted: Body[] = [];

  constructor(readonly pool: OptionPool) {}

  /** Resting orders of a series and side, best first (a scan and a sort). */
  side(key: string, side: "buy" | "sell"): RestingOrder[] {
    const list = this.state.orders.filter((o) => o.side === side && seriesKey(o.series) === key);
    return list.sort((a, b) => (a.price === b.price ? a.id - b.id : (side === "buy" ? a.price > b.price : a.price < b.price) ? -1 : 1));
  }

  /** `account`'s positions, by expiry then strike. */
  positionsOf(account: string): { series: SeriesRef; long: bigint; short: bigint }[] {
    return [...this.state.positions.values()]
      .map((p) => ({ series: p.series, long: p.longs.get(account) ?? 0n, short: p.shorts.get(account) ?? 0n }))
      .filter((p) => p.long || p.short)
      .sort((a, b) => a.series.expiry - b.series.expiry || Number(a.series.strikeUnits - b.series.strikeUnits));
  }

  private run<T>(op: (emit: (body: BookEventBody) => void) => T): T {
    const saved = structuredClone(this.state);
    const emitted: Body[] = [];
    this.emitted = emitted;
    try {
      const out = op((body) => {
        const e = { ...body, seq: this.state.seq + 1, time: this.pool.clock.now() } as Body;
        this.apply(e);
        emitted.push(e);
      });
      return out;
    } catch (e) {
      this.state = saved;
      this.emitted = [];
      throw e;
    }
  }

  private apply(e: Body): void {
    const s = this.state;
    s.seq = e.seq;
    const bump = (m: Map<string, bigint>, k: string, d: bigint) => ((m.get(k) ?? 0n) + d === 0n ? m.delete(k) : m.set(k, (m.get(k) ?? 0n) + d));
    if (e.kind === "place") {
      s.orders.push({ id: e.id, owner: e.owner, side: e.side, series: e.series, price: e.price, size: e.size, filled: 0n, escrow: e.escrow, time: e.time });
      s.nextId = e.id + 1;
    } else if (e.kind === "fill") {
      const o = s.orders.find((x) => x.id === e.makerId)!;
      o.escrow -= o.side === "sell" ? e.collateral : e.amount;
      o.size -= e.size;
      o.filled += e.size;
      if (o.size === 0n) s.orders = s.orders.filter((x) => x !== o);
      const [buyer, seller] = o.side === "buy" ? [e.maker, e.taker] : [e.taker, e.maker];
      bump(s.claimable, seller, e.amount);
      const key = seriesKey(e.series);
      if (!s.positions.has(key)) s.positions.set(key, { series: e.series, longs: new Map(), shorts: new Map(), locked: 0n, openSize: 0n });
      const p = s.positions.get(key)!;
      bump(p.longs, buyer, e.size);
      bump(p.shorts, seller, e.size);
      p.locked += e.collateral;
      p.openSize += e.size;
    } else if (e.kind === "cancel") s.orders = s.orders.filter((x) => x.id !== e.id);
    else if (e.kind === "settle") {
      for (const [k, p] of s.positions) if (p.series.expiry === e.expiry) s.positions.delete(k);
      for (const x of e.payouts) bump(s.claimable, x.account, x.amount);
      bump(s.claimable, e.treasury, e.dust);
    } else if (e.kind === "claim") s.claimable.delete(e.account);
  }

  private expire(emit: (body: BookEventBody) => void): number {
    const due = this.state.orders.filter((o) => o.series.expiry <= this.pool.clock.now()).sort((a, b) => a.id - b.id);
    for (const o of due) emit({ kind: "cancel", id: o.id, owner: o.owner, refund: o.escrow, reason: "expiry" });
    return due.length;
  }

  list(spec: SeriesSpec): void {
    const s = this.pool.settings;
    this.run((emit) => emit({ kind: "list", series: seriesRefOf(spec, s.collateral, s) }));
  }

  submit(trader: string, order: BookOrder): FillReport {
    const s = this.pool.settings;
    const series = seriesRefOf(order, s.collateral, s);
    const key = seriesKey(series);
    if (this.pool.clock.now() >= series.expiry) throw new PoolError("EXPIRED", "expiry", "expired");
    const buy = order.side === "buy";
    const limit = order.limitPrice;
    const scale = pow10(s.sizeDecimals);
    const report: FillReport = {
      side: order.side, series, requested: order.size, peerFills: [], pool: undefined, resting: undefined, unfilled: 0n,
      filledByPeers: 0n, filledByPool: 0n, premium: 0n, collateralPosted: 0n,
    };
    const poolQuote = (r: bigint): Quote | undefined => {
      if (!buy && this.pool.positionsOf(trader).every((p) => seriesKey(p.series) !== key || p.size < r)) return undefined;
      let q: Quote;
      try {
        q = this.pool.quote({ type: series.type, strike: series.strike, expiry: series.expiry, size: r, side: order.side });
      } catch (e) {
        if (e instanceof PoolError) return undefined;
        throw e;
      }
      return limit === undefined || (buy ? q.total * scale <= limit * r : q.total * scale >= limit * r) ? q : undefined;
    };
    const within = (price: bigint) => limit === undefined || (buy ? price <= limit : price >= limit);
    const saved = structuredClone(this.state);
    const planned = this.run((emit) => {
      this.expire(emit);
      let remaining = order.size;
      let written = 0n;
      const telescope = (f: (n: bigint) => bigint, from: bigint, size: bigint) => f(from + size) - f(from);
      const collateral = (n: bigint) => collateralFor(s.collateral, series.strikeUnits, n, s);
      for (const m of this.side(key, buy ? "sell" : "buy")) {
        if (remaining === 0n) break;
        if (m.owner === trader) continue;
        if (!within(m.price)) break;
        const q = poolQuote(remaining);
        if (q && (buy ? m.price * remaining > q.total * scale : m.price * remaining < q.total * scale)) break;
        const size = remaining < m.size ? remaining : m.size;
        const amount = telescope((n) => mulDiv(m.price, n, scale, "up"), m.filled, size);
        const locked = m.side === "sell" ? telescope(collateral, m.filled, size) : telescope(collateral, written, size);
        if (m.side === "buy") written += size;
        const fill = { makerId: m.id, maker: m.owner, price: m.price, size, amount, collateral: locked };
        emit({ kind: "fill", ...fill, taker: trader, makerSide: m.side, series });
        report.peerFills.push(fill);
        report.filledByPeers += size;
        report.premium += amount;
        if (!buy) report.collateralPosted += locked;
        remaining -= size;
      }
      const poolPart = remaining > 0n ? poolQuote(remaining) : undefined;
      if (poolPart) {
        remaining -= poolPart.size;
        report.filledByPool = poolPart.size;
        report.premium += poolPart.total;
      }
      let escrow = 0n;
      if (remaining > 0n && limit !== undefined) {
        if (this.side(key, buy ? "sell" : "buy").some((m) => within(m.price))) throw new PoolError("INVALID_INPUT", "limitPrice", "crosses own");
        escrow = buy ? mulDiv(limit, remaining, scale, "up") : collateral(remaining);
        const id = this.state.nextId;
        emit({ kind: "place", id, owner: trader, side: order.side, series, price: limit, size: remaining, escrow });
        report.resting = { id, size: remaining, price: limit, escrow };
      } else report.unfilled = remaining;
      if ((buy ? report.premium : report.collateralPosted) + escrow > order.funds) throw new PoolError("INSUFFICIENT_COLLATERAL", "funds", "funds");
      return { report, poolPart };
    });
    return planned.poolPart ? this.withPool(trader, planned.report, planned.poolPart, saved) : planned.report;
  }

  /**
   * The pool's part: the plan is taken back, a poolOrder is recorded, the pool trades; then poolFill and the plan's
   * events again (the same bodies at the next seqs), or poolFailed and the pool's refusal.
   */
  private withPool(trader: string, report: FillReport, q: Quote, saved: RefState): FillReport {
    const plan = this.emitted;
    this.state = saved;
    const events: Body[] = [];
    this.emitted = events;
    const push = (body: BookEventBody) => {
      const e = { ...body, seq: this.state.seq + 1, time: this.pool.clock.now() } as Body;
      this.apply(e);
      events.push(e);
    };
    const series = report.series;
    push({ kind: "poolOrder", trader, side: report.side, series, size: q.size, bound: q.total, poolSeq: this.pool.seq });
    const order = events[0]!.seq;
    const before = this.pool.seq;
    let traded: Quote;
    try {
      const request = { type: series.type, strike: series.strike, expiry: series.expiry, size: q.size, side: report.side };
      traded = this.pool.trade(trader, { ...request, ...(report.side === "buy" ? { maxCost: q.total } : { minProceeds: q.total }) });
    } catch (e) {
      const err = e as PoolError;
      push({ kind: "poolFailed", order, checkedTo: this.pool.seq, reason: `${err.code} (${err.field}): ${err.message}` });
      throw e;
    }
    const trade = this.pool.eventsSince(before).find((e) => e.kind === "trade")!;
    push({ kind: "poolFill", order, poolSeq: trade.seq, paid: traded.total });
    for (const { seq: _s, time: _t, ...body } of plan) push(body as BookEventBody);
    return { ...report, pool: traded, premium: report.premium - q.total + traded.total };
  }

  cancel(owner: string, id: number): bigint {
    const o = this.state.orders.find((x) => x.id === id && x.owner === owner);
    if (!o) throw new PoolError("UNKNOWN_ORDER", "id", "unknown");
    return this.run((emit) => (emit({ kind: "cancel", id, owner, refund: o.escrow, reason: "cancel" }), o.escrow));
  }

  expireOrders(): number {
    return this.run((emit) => this.expire(emit));
  }

  settle(expiry: number): bigint {
    if (this.pool.clock.now() < expiry) throw new PoolError("NOT_EXPIRED", "expiry", "not yet");
    const open = [...this.state.positions.values()].filter((p) => p.series.expiry === expiry);
    if (open.length === 0) throw new PoolError("NOTHING_TO_SETTLE", "expiry", "nothing");
    const s = this.pool.settings;
    const { priceUnits } = this.pool.settlementPrice(expiry);
    return this.run((emit) => {
      this.expire(emit);
      const payouts: { account: string; position: "long" | "short"; strikeUnits: bigint; size: bigint; amount: bigint }[] = [];
      let unlocked = 0n;
      let dust = 0n;
      for (const p of open) {
        const k = p.series.strikeUnits;
        const longs = [...p.longs].map(([account, size]) => ({ account, position: "long" as const, strikeUnits: k, size, amount: payoutFor(s.collateral, k, priceUnits, size, s) }));
        const left = p.locked - longs.reduce((t, x) => t + x.amount, 0n);
        const shorts = [...p.shorts].map(([account, size]) => ({ account, position: "short" as const, strikeUnits: k, size, amount: mulDiv(left, size, p.openSize, "down") }));
        payouts.push(...[...longs, ...shorts].filter((x) => x.amount > 0n));
        unlocked += p.locked;
        dust += left - shorts.reduce((t, x) => t + x.amount, 0n);
      }
      // Canonical order: strike, then side ("long" before "short"), then account.
      const cmp = <T>(a: T, b: T) => (a < b ? -1 : a > b ? 1 : 0);
      payouts.sort((a, b) => cmp(a.strikeUnits, b.strikeUnits) || cmp(a.position, b.position) || cmp(a.account, b.account));
      emit({ kind: "settle", expiry, priceUnits, payouts, unlocked, dust, treasury: s.treasury });
      return priceUnits;
    });
  }

  claim(account: string): bigint {
    const assets = this.state.claimable.get(account) ?? 0n;
    if (assets === 0n) throw new PoolError("NOTHING_TO_CLAIM", "account", "nothing");
    return this.run((emit) => (emit({ kind: "claim", account, assets }), assets));
  }
}
