// Issue 16: the peer book's snapshots. PeerBook.open from the latest snapshot (and the events after it) rebuilds the
// very book a full verifying replay rebuilds, over random order flow with snapshots at random points; a snapshot whose
// state, MAC or chain head was changed is refused (TAMPERED), as is one MAC'ed for another log (the pool's); without
// a key a snapshot is used only when the caller trusts the store, and its totals are still checked.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { BOOK_LOG, ManualClock, ManualOracle, MemoryEventStore, OptionPool, PoolError, POOL_LOG, type BookEvent, type PoolConfig, type PoolEvent } from "../pool/index.js";
import { PeerBook } from "../pool/book/index.js";
import { snapshotMac, ledgerKeyBytes, genesisHash } from "../pool/ledger-chain.js";
import { DAY, T0, USDC } from "./support/pool.js";

const SERIES = [
  { type: "put" as const, strike: 1800, expiry: T0 + 2 * DAY },
  { type: "put" as const, strike: 2000, expiry: T0 + 30 * DAY },
];
const KEY = "an operator secret of at least thirty-two bytes!";
let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

function setup(keyed = true) {
  const key = keyed ? KEY : undefined;
  const clock = new ManualClock(T0);
  const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 });
  const config: PoolConfig = { collateral: "quote", decimals: 6, sizeDecimals: 2, pricer, oracle, clock, ledgerKey: key, store: new MemoryEventStore<PoolEvent>({ codec: POOL_LOG }), params: { maxOracleAgeSeconds: 10 * DAY, maxSettlementDelaySeconds: 10 * DAY } };
  const pool = new OptionPool(config);
  pool.deposit("lp", 200_000n * USDC);
  const store = new MemoryEventStore<BookEvent>({ codec: BOOK_LOG });
  const book = new PeerBook(pool, { store, ...(key ? { ledgerKey: key } : {}) });
  for (const s of SERIES) book.list(s);
  return { clock, oracle, config, pool, store, book, key };
}

const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("submit" as const), who: fc.constantFrom("a", "b", "c"), s: fc.nat(1), side: fc.constantFrom("buy" as const, "sell" as const), size: fc.bigInt({ min: 1n, max: 300n }), price: fc.option(fc.integer({ min: 1, max: 20 }).map((k) => BigInt(k) * 5n * USDC), { nil: undefined }) }) },
  fc.record({ kind: fc.constant("cancel" as const), who: fc.constantFrom("a", "b", "c") }),
  fc.record({ kind: fc.constant("advance" as const), seconds: fc.integer({ min: 0, max: DAY }) }),
  fc.record({ kind: fc.constant("settle" as const), s: fc.nat(1) }),
  fc.record({ kind: fc.constant("claim" as const), who: fc.constantFrom("a", "b", "c", "treasury") }),
  fc.record({ kind: fc.constant("snapshot" as const) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function perform(t: ReturnType<typeof setup>, o: Op): void {
  const b = t.book;
  if (o.kind === "submit") b.submit(o.who, { ...SERIES[o.s]!, side: o.side, size: o.size, ...(o.price ? { limitPrice: o.price } : {}), funds: 50_000n * USDC });
  else if (o.kind === "cancel") {
    const mine = SERIES.flatMap((s) => [...b.orders(s, "buy"), ...b.orders(s, "sell")]).find((x) => x.owner === o.who);
    if (mine) b.cancel(o.who, mine.id);
  } else if (o.kind === "advance") {
    t.clock.advance(o.seconds);
    t.oracle.push({ timestamp: t.clock.now(), spot: 1900 + (o.seconds % 200) });
  } else if (o.kind === "settle") b.settle(SERIES[o.s]!.expiry);
  else if (o.kind === "claim") b.claim(o.who);
  else if (b.seq > 0) b.saveSnapshot();
}

/** A copy of a store's log and latest snapshot (what a restart reads), so that each reopened twin has its own. */
function copyOf<E extends PoolEvent | BookEvent>(store: MemoryEventStore<E>, codec: typeof POOL_LOG | typeof BOOK_LOG): MemoryEventStore<E> {
  const copy = new MemoryEventStore<E>({ codec: codec as never });
  const head = store.head().seq;
  for (let seq = 1; seq <= head; seq += 1024) copy.append(store.read(seq, 1024));
  const snap = store.latestSnapshot();
  if (snap) copy.saveSnapshot(snap);
  return copy;
}

/** The pool and the book reopened from copies of their stores; the book from its snapshot (`use`) or by full replay. */
function reopen(t: ReturnType<typeof setup>, use: "verified" | "trusted" | "ignore") {
  const pool = OptionPool.open({ ...t.config, store: copyOf(t.config.store as MemoryEventStore<PoolEvent>, POOL_LOG) }, { snapshot: "ignore" });
  return PeerBook.open(pool, { store: copyOf(t.store, BOOK_LOG), ...(t.key ? { ledgerKey: t.key } : {}) }, { snapshot: use });
}

describe("the peer book's snapshots", () => {
  it("reopening from the latest snapshot gives the book a full verifying replay gives, then the same future (150 runs of ≤ 40 operations)", () => {
    let fromSnapshot = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), fc.boolean(), (ops, keyed) => {
        const t = setup(keyed);
        for (const o of ops) {
          try {
            perform(t, o);
          } catch (e) {
            if (!(e instanceof PoolError)) throw e;
          }
        }
        const full = reopen(t, "ignore");
        const snap = reopen(t, keyed ? "verified" : "trusted");
        expect(snap.snapshot()).toEqual(full.snapshot());
        expect(snap.snapshot()).toEqual(t.book.snapshot());
        if (t.store.latestSnapshot()) fromSnapshot++;
        // The same next operation on both gives the same event.
        const order = { ...SERIES[1]!, side: "buy" as const, size: 100n, limitPrice: 5n * USDC, funds: 10_000n * USDC };
        const [a, b] = [full, snap].map((book) => {
          try {
            book.submit("z", order);
          } catch (e) {
            if (!(e instanceof PoolError)) throw e;
          }
          return JSON.stringify(book.snapshot());
        });
        expect(a).toBe(b);
      }),
      { numRuns: 150, seed: 16 },
    );
    expect(fromSnapshot).toBeGreaterThan(50);
  });

  it("refuses a tampered snapshot (TAMPERED): a changed state, a missing or foreign MAC; a store without snapshots replays", () => {
    const t = setup();
    t.book.submit("a", { ...SERIES[1]!, side: "sell", size: 300n, limitPrice: 40n * USDC, funds: 10_000n * USDC });
    t.book.submit("b", { ...SERIES[1]!, side: "buy", size: 100n, limitPrice: 40n * USDC, funds: 10_000n * USDC });
    expect(reopen(t, "verified").snapshot()).toEqual(t.book.snapshot()); // no snapshot yet: the whole log
    const seq = t.book.saveSnapshot();
    const good = t.store.latestSnapshot()!;
    expect(good.seq).toBe(seq);
    const refused = (state: string, mac: string | undefined) => {
      const store = new MemoryEventStore<BookEvent>({ codec: BOOK_LOG });
      store.append(t.store.read(1, seq));
      store.saveSnapshot({ ...good, state, ...(mac === undefined ? { mac: undefined } : { mac }) });
      const pool = OptionPool.open({ ...t.config, store: copyOf(t.config.store as MemoryEventStore<PoolEvent>, POOL_LOG) }, { snapshot: "ignore" });
      expect(() => PeerBook.open(pool, { store, ledgerKey: KEY })).toThrow(/TAMPERED/);
    };
    // b's claimable 40 USDC credited to c instead: the MAC no longer matches.
    const moved = good.state.replace('"a":"40000000"', '"c":"40000000"');
    expect(moved).not.toBe(good.state);
    refused(moved, good.mac);
    refused(good.state, undefined);
    // A MAC made for the pool's log (another genesis) over the very same text and head.
    const key = ledgerKeyBytes(KEY);
    refused(good.state, snapshotMac(key, genesisHash(t.pool.settings), good.seq, good.hash, good.state));
    // Re-MAC'ed with the right key, the changed state still opens (only the key holder can do it) and is what it says.
    const store = new MemoryEventStore<BookEvent>({ codec: BOOK_LOG });
    store.append(t.store.read(1, seq));
    store.saveSnapshot({ ...good, state: moved, mac: snapshotMac(key, genesisHash(t.pool.settings, "book"), good.seq, good.hash, moved) });
    const forged = PeerBook.open(OptionPool.open({ ...t.config, store: copyOf(t.config.store as MemoryEventStore<PoolEvent>, POOL_LOG) }, { snapshot: "ignore" }), { store, ledgerKey: KEY });
    expect(forged.claimableOf("c")).toBe(40n * USDC);
  });

  it("without a key: a snapshot is used only when trusted, and one whose totals do not add up is refused", () => {
    const t = setup(false);
    t.book.submit("a", { ...SERIES[1]!, side: "sell", size: 300n, limitPrice: 40n * USDC, funds: 10_000n * USDC });
    t.book.submit("b", { ...SERIES[1]!, side: "buy", size: 100n, limitPrice: 40n * USDC, funds: 10_000n * USDC });
    t.book.saveSnapshot();
    const good = t.store.latestSnapshot()!;
    expect(good.mac).toBeUndefined();
    const inflated = good.state.replace('"a":"40000000"', '"a":"90000000"');
    t.store.saveSnapshot({ ...good, state: inflated });
    // "verified" without a key ignores the unsigned snapshot and replays the log; "trusted" checks its totals.
    expect(reopen(t, "verified").claimableOf("a")).toBe(40n * USDC);
    expect(() => reopen(t, "trusted")).toThrow(/TAMPERED.*paid in − paid out/);
  });
});
