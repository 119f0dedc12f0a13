// The book's indexes against brute force (fast-check):
//   - OrderedSet (the AVL tree under the price levels and the expiry index) agrees with a sorted array on every
//     size, first value, successor and in-order walk, over random adds and deletes;
//   - PeerBook agrees with a brute-force reference (test/support/book-reference.ts: scans, sorts and a cloned
//     state per operation) on random submit / cancel / expire / settle / claim sequences: the same events (canonical
//     text, seq and time included; pool parts recorded before and after the pool's trade), the same reports, the
//     same refusals, the same resting orders and positions;
//   - BookState's indexes (priority per series and side, successor, due orders, positions by expiry and by holder,
//     the claimable total) equal a recomputation from its orders and positions after every transaction, committed
//     or rolled back, and a rolled-back transaction leaves the snapshot it found.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { ManualClock, ManualOracle, OptionPool, PoolError, seriesKey, type PoolConfig } from "../pool/index.js";
import { seriesRefOf } from "../pool/series.js";
import { BookState, PeerBook, type BookEvent, type RestingOrder } from "../pool/book/index.js";
import { canonicalBookEvent } from "../pool/book/events.js";
import { genesisHash } from "../pool/ledger-chain.js";
import { OrderedSet } from "../pool/ordered-set.js";
import { ReferenceBook } from "./support/book-reference.js";
import { DAY, T0, USDC } from "./support/pool.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

describe("OrderedSet", () => {
  it("agrees with a sorted array: size, first, after(x) for every x, in-order walk; height within the AVL bound (500 runs of ≤ 200 adds and deletes)", () => {
    // Ascending runs are what unbalance a plain search tree: half the steps add the next value up.
    const step = fc.oneof(fc.record({ add: fc.boolean(), value: fc.integer({ min: 0, max: 60 }) }), fc.constant({ add: true, value: -1 }));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const set = new OrderedSet<number>((a, b) => a - b);
        let model: number[] = [];
        let next = 0;
        for (const { add, value: drawn } of steps) {
          const value = drawn === -1 ? next++ % 61 : drawn;
          const had = model.includes(value);
          if (add) {
            expect(set.add(value)).toBe(!had);
            if (!had) model = [...model, value].sort((a, b) => a - b);
          } else {
            expect(set.delete(value)).toBe(had);
            model = model.filter((v) => v !== value);
          }
          expect(set.size).toBe(model.length);
          expect(set.first()).toBe(model[0]);
          // The AVL height bound (Knuth, TAOCP 6.2.3): a balanced tree, not merely a sorted one.
          expect(set.height).toBeLessThanOrEqual(Math.max(0, 1.4405 * Math.log2(set.size + 2) - 0.3277));
        }
        expect([...set]).toEqual(model);
        for (let x = -1; x <= 61; x++) expect(set.after(x)).toBe(model.find((v) => v > x));
      }),
      { numRuns: 500, seed: 16 },
    );
  });
});

const HOUR = 3600;
const SERIES = [
  { type: "put" as const, strike: 1800, expiry: T0 + 12 * HOUR },
  { type: "put" as const, strike: 2000, expiry: T0 + DAY },
  { type: "put" as const, strike: 1900, expiry: T0 + DAY }, // two series expire together: one settle, both series
];
const ACCOUNTS = ["a", "b", "c"];

const op = fc.oneof(
  { weight: 12, arbitrary: fc.record({
    kind: fc.constant("submit" as const),
    who: fc.constantFrom(...ACCOUNTS),
    s: fc.nat(2),
    side: fc.constantFrom("buy" as const, "sell" as const),
    size: fc.bigInt({ min: 1n, max: 300n }),
    // Prices on a 5 USDC grid, so orders share levels and time priority decides.
    price: fc.option(fc.integer({ min: 1, max: 12 }).map((k) => BigInt(k) * 5n * USDC), { nil: undefined }),
    funds: fc.oneof(fc.constant(20_000n * USDC), fc.bigInt({ min: 0n, max: 2_000n * USDC })),
  }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("cancel" as const), who: fc.constantFrom(...ACCOUNTS), pick: fc.nat(20) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("advance" as const), seconds: fc.integer({ min: 0, max: 6 * HOUR }) }) },
  fc.record({ kind: fc.constant("expire" as const) }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("settle" as const), s: fc.nat(2) }) },
  fc.record({ kind: fc.constant("claim" as const), who: fc.constantFrom(...ACCOUNTS, "treasury") }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;
/** A writer and a buyer meeting at one price (positions to settle), as two submits. */
const pair = fc.record({ s: fc.nat(2), size: fc.bigInt({ min: 1n, max: 300n }), price: fc.integer({ min: 1, max: 12 }) }).map(({ s, size, price }): Op[] =>
  (["sell", "buy"] as const).map((side, i) => ({ kind: "submit", who: ACCOUNTS[i]!, s, side, size, price: BigInt(price) * 5n * USDC, funds: 20_000n * USDC })),
);
const sequence = fc.array(fc.oneof({ weight: 4, arbitrary: op.map((o) => [o]) }, pair), { minLength: 5, maxLength: 40, size: "medium" }).map((chunks) => chunks.flat());
/** Every run ends past the expiries: both settle, every account claims. */
const ENDING: Op[] = [
  { kind: "advance", seconds: 2 * DAY },
  { kind: "settle", s: 0 },
  { kind: "settle", s: 1 },
  ...[...ACCOUNTS, "treasury"].map((who): Op => ({ kind: "claim", who })),
];

/** Two pools on one clock and oracle (one per book) so that routing sees identical quotes. */
function twins(withPool: boolean) {
  const clock = new ManualClock(T0);
  const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 });
  const config: PoolConfig = { collateral: "quote", decimals: 6, sizeDecimals: 2, pricer, oracle, clock, params: { maxOracleAgeSeconds: 10 * DAY, maxSettlementDelaySeconds: 10 * DAY } };
  const [a, b] = [new OptionPool(config), new OptionPool(config)];
  if (withPool) for (const pool of [a, b]) pool.deposit("lp", 50_000n * USDC);
  const book = new PeerBook(a);
  const ref = new ReferenceBook(b);
  for (const s of SERIES) {
    book.list(s);
    ref.list(s);
  }
  return { clock, oracle, book, ref };
}

/** The result of `run`, or the code of the PoolError it threw. */
function attempt(run: () => unknown): { ok: unknown } | { code: string } {
  try {
    return { ok: run() };
  } catch (e) {
    if (!(e instanceof PoolError)) throw e;
    return { code: e.code };
  }
}

function perform(o: Op, target: PeerBook | ReferenceBook, pick: (who: string, n: number) => number): unknown {
  if (o.kind === "submit") return target.submit(o.who, { ...SERIES[o.s]!, side: o.side, size: o.size, limitPrice: o.price, funds: o.funds });
  if (o.kind === "cancel") return target.cancel(o.who, pick(o.who, o.pick));
  if (o.kind === "expire") return target.expireOrders();
  if (o.kind === "settle") return target.settle(SERIES[o.s]!.expiry);
  if (o.kind === "claim") return target.claim(o.who);
  return undefined;
}


describe("PeerBook against the brute-force reference", () => {
  it("the same events, reports, refusals, resting orders and positions on random sequences (200 runs of ≤ 80 operations)", () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(fc.boolean(), sequence, (withPool, ops) => {
        const { clock, oracle, book, ref } = twins(withPool);
        let logged = book.events.length;
        for (const o of [...ops, ...ENDING]) {
          if (o.kind === "advance") {
            clock.advance(o.seconds);
            oracle.push({ timestamp: clock.now(), spot: 1700 + (o.seconds % 500) });
            continue;
          }
          // A cancel targets one of the account's resting orders (an unknown id when it has none).
          const pick = (who: string, n: number) => {
            const mine = ref.state.orders.filter((x) => x.owner === who).map((x) => x.id).sort((x, y) => x - y);
            return mine.length ? mine[n % mine.length]! : 999;
          };
          const got = attempt(() => perform(o, book, pick));
          ref.emitted = [];
          const want = attempt(() => perform(o, ref, pick));
          expect(got).toEqual(want);
          const events = book.events.slice(logged);
          logged += events.length;
          // A refused operation logs nothing, or the poolOrder and poolFailed of a pool part the pool refused.
          expect(events.map((e) => canonicalBookEvent(e))).toEqual(ref.emitted.map((e) => canonicalBookEvent(e)));
          for (const e of events) seen.set(e.kind, (seen.get(e.kind) ?? 0) + 1);
          if ("ok" in got && (got.ok as { pool?: unknown } | undefined)?.pool) seen.set("pool", (seen.get("pool") ?? 0) + 1);
          for (const spec of SERIES)
            for (const side of ["buy", "sell"] as const) expect(book.orders(spec, side)).toEqual(ref.side(seriesKey(seriesRefOf(spec, "quote", book.pool.settings)), side));
          for (const who of [...ACCOUNTS, "treasury"]) {
            expect(book.positionsOf(who)).toEqual(ref.positionsOf(who));
            expect(book.claimableOf(who)).toBe(ref.state.claimable.get(who) ?? 0n);
          }
        }
      }),
      { numRuns: 200, seed: 16 },
    );
    for (const kind of ["place", "fill", "cancel", "settle", "claim", "pool", "poolOrder", "poolFill"]) expect(seen.get(kind) ?? 0, kind).toBeGreaterThan(0);
  });
});

/** Recomputes every index of `state` from its orders and positions and compares. */
function checkIndexes(state: BookState): void {
  const orders = [...state.orders.values()];
  const priority = (side: "buy" | "sell") => (a: RestingOrder, b: RestingOrder) =>
    a.price === b.price ? a.id - b.id : (side === "buy" ? a.price > b.price : a.price < b.price) ? -1 : 1;
  for (const key of state.listed.keys()) {
    for (const side of ["buy", "sell"] as const) {
      const expected = orders.filter((o) => o.side === side && seriesKey(o.series) === key).sort(priority(side));
      const indexed = state.side(key, side);
      expect(indexed.map((o) => o.id)).toEqual(expected.map((o) => o.id));
      indexed.forEach((o) => expect(o).toBe(state.orders.get(o.id))); // the very objects of the order map
      expect(state.best(key, side)).toBe(expected[0]);
      expected.forEach((o, i) => expect(state.after(o)).toBe(expected[i + 1]));
    }
  }
  for (const t of [T0, ...SERIES.map((s) => s.expiry), T0 + 10 * DAY])
    expect(state.dueOrders(t).map((o) => o.id)).toEqual(orders.filter((o) => o.series.expiry <= t).map((o) => o.id).sort((a, b) => a - b));
  const keys = (list: { series: { type: string; strikeUnits: bigint; expiry: number } }[]) => list.map((p) => seriesKey(p.series)).sort();
  const positions = [...state.positions.values()];
  for (const { expiry } of SERIES) expect(keys(state.positionsExpiring(expiry))).toEqual(keys(positions.filter((p) => p.series.expiry === expiry)));
  for (const who of [...ACCOUNTS, "treasury"])
    expect(keys(state.positionsHeldBy(who))).toEqual(keys(positions.filter((p) => p.longs.has(who) || p.shorts.has(who))));
  expect(state.claimableTotal).toBe([...state.claimable.values()].reduce((t, v) => t + v, 0n));
}

describe("BookState indexes under transactions", () => {
  it("equal a brute-force recomputation after every committed or rolled-back transaction (100 runs)", () => {
    fc.assert(
      fc.property(sequence, fc.array(fc.record({ size: fc.integer({ min: 1, max: 6 }), undo: fc.boolean() }), { minLength: 1, maxLength: 40 }), (ops, chunks) => {
        const { clock, oracle, book } = twins(false);
        for (const o of [...ops, ...ENDING]) {
          if (o.kind === "advance") {
            clock.advance(o.seconds);
            oracle.push({ timestamp: clock.now(), spot: 1700 + (o.seconds % 500) });
          } else attempt(() => perform(o, book, (who, n) => {
            const mine = (book.snapshot().orders as { id: number; owner: string }[]).filter((x) => x.owner === who);
            return mine.length ? mine[n % mine.length]!.id : 999;
          }));
        }
        const events: BookEvent[] = [...book.events];
        const state = new BookState(genesisHash(book.pool.settings, "book"));
        let at = 0;
        for (let i = 0; at < events.length; i++) {
          const { size, undo } = chunks[i % chunks.length]!;
          const before = JSON.stringify(state.snapshot());
          state.begin();
          for (const e of events.slice(at, at + size)) state.apply(e);
          if (undo && i < chunks.length) {
            checkIndexes(state);
            state.rollback();
            expect(JSON.stringify(state.snapshot())).toBe(before);
          } else {
            state.commit();
            at += size;
          }
          checkIndexes(state);
        }
        expect(state.snapshot()).toEqual(book.snapshot());
      }),
      { numRuns: 100, seed: 16 },
    );
  });
});
