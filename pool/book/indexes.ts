// What the book looks up, kept beside its maps so that no operation scans the whole book:
//   OrderIndex     resting orders per (series, side) in priority (best price, then lowest id), and all resting
//                  orders by expiry: matching walks best first, expiry refunds touch only what is due
//   PositionIndex  open peer series by expiry (settlement) and by holder account (positionsOf)
// Every change records its inverse in the state's UndoLog, so a rolled-back operation leaves the indexes as it
// found them (outside a transaction nothing is recorded: replay).
import { OrderedSet } from "../ordered-set.js";
import type { UndoLog } from "../undo.js";
import type { BookSide } from "./events.js";
import type { PeerSeries, RestingOrder } from "./state.js";

/** Bids: the highest price first; asks: the lowest first; at one price the earliest order (lowest id). */
const PRIORITY: Record<BookSide, (a: RestingOrder, b: RestingOrder) => number> = {
  buy: (a, b) => (a.price === b.price ? a.id - b.id : a.price > b.price ? -1 : 1),
  sell: (a, b) => (a.price === b.price ? a.id - b.id : a.price < b.price ? -1 : 1),
};

type Sides = Record<BookSide, OrderedSet<RestingOrder>>;

/** Resting orders by (series, side) in priority order and by expiry. Keys are seriesKey strings. */
export class OrderIndex {
  private readonly sides = new Map<string, Sides>();
  private readonly byExpiry = new OrderedSet<RestingOrder>((a, b) => a.series.expiry - b.series.expiry || a.id - b.id);

  constructor(private readonly undo: UndoLog) {}

  /** Indexes resting order `o` of series `key`. */
  add(key: string, o: RestingOrder): void {
    this.insert(key, o);
    this.undo.record(() => this.erase(key, o));
  }

  /** Removes resting order `o` of series `key`. */
  remove(key: string, o: RestingOrder): void {
    this.erase(key, o);
    this.undo.record(() => this.insert(key, o));
  }

  /** The best order of a series and side, or undefined. O(log n). */
  best(key: string, side: BookSide): RestingOrder | undefined {
    return this.sides.get(key)?.[side].first();
  }

  /** The order right after `o` in priority (`o` may have left the book meanwhile), or undefined. O(log n). */
  after(key: string, o: RestingOrder): RestingOrder | undefined {
    return this.sides.get(key)?.[o.side].after(o);
  }

  /** The orders of a series and side, best first. */
  inPriority(key: string, side: BookSide): RestingOrder[] {
    const set = this.sides.get(key)?.[side];
    return set ? [...set] : [];
  }

  /** Resting orders whose series expires at or before `now` (unix seconds), by id. O(due · log due + log n). */
  due(now: number): RestingOrder[] {
    const out: RestingOrder[] = [];
    for (const o of this.byExpiry) {
      if (o.series.expiry > now) break;
      out.push(o);
    }
    return out.sort((a, b) => a.id - b.id);
  }

  private insert(key: string, o: RestingOrder): void {
    let sides = this.sides.get(key);
    // An empty pair of sets holds nothing, so creating one is not recorded.
    if (!sides) this.sides.set(key, (sides = { buy: new OrderedSet(PRIORITY.buy), sell: new OrderedSet(PRIORITY.sell) }));
    sides[o.side].add(o);
    this.byExpiry.add(o);
  }

  private erase(key: string, o: RestingOrder): void {
    this.sides.get(key)?.[o.side].delete(o);
    this.byExpiry.delete(o);
  }
}

/** Open peer series by expiry and by the accounts holding them (long or short). Keys are seriesKey strings. */
export class PositionIndex {
  private readonly byExpiry = new Map<number, Map<string, PeerSeries>>();
  private readonly byAccount = new Map<string, Map<string, PeerSeries>>();

  constructor(private readonly undo: UndoLog) {}

  /** A series `key` opened (its first fill). */
  open(key: string, p: PeerSeries): void {
    this.undo.mapSet(this.inner(this.byExpiry, p.series.expiry), key, p);
  }

  /** `account` holds series `key` (long or short); nothing changes when it already did. */
  hold(account: string, key: string, p: PeerSeries): void {
    const held = this.inner(this.byAccount, account);
    if (!held.has(key)) this.undo.mapSet(held, key, p);
  }

  /** Series `key` settled: it leaves its expiry and every holder's list. */
  close(key: string, p: PeerSeries): void {
    this.drop(this.byExpiry, p.series.expiry, key);
    for (const account of p.longs.keys()) this.drop(this.byAccount, account, key);
    for (const account of p.shorts.keys()) this.drop(this.byAccount, account, key);
  }

  /** Open series expiring at `expiry` (a copy). */
  expiring(expiry: number): PeerSeries[] {
    return [...(this.byExpiry.get(expiry)?.values() ?? [])];
  }

  /** Open series `account` holds (a copy). */
  heldBy(account: string): PeerSeries[] {
    return [...(this.byAccount.get(account)?.values() ?? [])];
  }

  private inner<K>(outer: Map<K, Map<string, PeerSeries>>, k: K): Map<string, PeerSeries> {
    let map = outer.get(k);
    if (!map) this.undo.mapSet(outer, k, (map = new Map()));
    return map;
  }

  private drop<K>(outer: Map<K, Map<string, PeerSeries>>, k: K, key: string): void {
    const map = outer.get(k);
    if (!map) return;
    this.undo.mapDelete(map, key);
    if (map.size === 0) this.undo.mapDelete(outer, k);
  }
}
