// Issue 15, "Books": a forged or corrupted log, re-entrant hooks, async results overtaken by the ledger, operations
// that committed half of themselves, and look-alike or mis-scaled inputs — each tried through the public API.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import type { Greeks, OptionBatch } from "../bindings/types.js";
import {
  CircuitBreakers, GreeksMonitor, OptionPool, PeerBook, PoolError, eventsToJSON, resolveParams, type PoolEvent,
} from "../pool/index.js";
import { accountProblem } from "../pool/accounts.js";
import { decodeEvent } from "../pool/events.js";
import { bookEventsToJSON, canonicalBookEvent, decodeBookEvent } from "../pool/book/events.js";
import { chainHash, genesisHash, hashAfter } from "../pool/ledger-chain.js";
import { DAY, expectRejected, makePool, printEvery, T0, USDC, type PoolFixture } from "./support/pool.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

const E = T0 + 7 * DAY;
const KEY = "an operator secret of at least thirty-two bytes!";

/** A pool whose log has every kind of event: deposits, trades both ways, a queue paid in part, a settlement with payouts, claims, a breaker, a pause. */
function busyPool(ledgerKey?: string): PoolFixture {
  const f = makePool(pricer, { config: ledgerKey ? { ledgerKey } : {} });
  const { pool } = f;
  pool.deposit("alice", 100_000n * USDC);
  pool.deposit("bob", 60_000n * USDC);
  pool.trade("carol", { type: "put", strike: 1900, expiry: E, size: 3_000n, side: "buy", maxCost: 10n ** 12n });
  pool.trade("dave", { type: "put", strike: 2000, expiry: E, size: 3_000n, side: "buy", maxCost: 10n ** 12n });
  pool.redeem("bob", pool.sharesOf("bob")); // partly queued
  pool.trade("carol", { type: "put", strike: 1900, expiry: E, size: 1_000n, side: "sell", minProceeds: 0n }); // pays part of the queue
  pool.donate("dan", 500n * USDC);
  pool.tripCircuitBreaker("liquidity", "test", T0 + 60);
  printEvery(f, T0 + 300, E - 300, 3600, { spot: 2000 });
  f.clock.set(E);
  f.oracle.push({ timestamp: E, spot: 1850 });
  pool.settle(E);
  pool.claim("carol");
  f.clock.set(E + 10);
  f.oracle.push({ timestamp: E + 10, spot: 2300 }); // deviates: the keeper records a pause
  pool.observeOracle();
  return f;
}

type Raw = Record<string, unknown>;

/** The log as plain JSON objects (what a file holds). */
function rawLog(pool: OptionPool): Raw[] {
  return JSON.parse(eventsToJSON(pool.events)) as Raw[];
}

/** Recomputes the hash chain of a (tampered) log, as a forger without the ledger key can; events that do not decode keep their hash. */
function rechain(raw: Raw[], f: PoolFixture): Raw[] {
  let previous = genesisHash({ ...f.pool.settings });
  return raw.map((r, i) => {
    let e: PoolEvent;
    const { mac: _mac, ...unsealed } = r;
    try {
      e = decodeEvent({ ...unsealed, hash: "0".repeat(64) }, `events[${i}]`);
    } catch {
      return r;
    }
    const hash = chainHash(previous, e);
    previous = hash;
    // Unchanged events keep their MACs; the changed ones keep stale MACs (the forger cannot make new ones).
    return hash === r.hash ? r : { ...r, hash };
  });
}

function replayError(f: PoolFixture, raw: Raw[], key?: string): PoolError | undefined {
  try {
    OptionPool.fromJSON({ ...f.config, ledgerKey: key }, JSON.stringify(raw));
  } catch (e) {
    if (e instanceof PoolError) return e;
    throw e;
  }
  return undefined;
}

const first = (raw: Raw[], kind: string, n = 0): Raw => raw.filter((r) => r.kind === kind)[n]!;
const big = (v: unknown, d: bigint) => String(BigInt(v as string) + d);

/** Tamperings: what a forger changes, and whether the re-derivations catch it once the chain is recomputed. */
const TAMPERINGS: [string, (raw: Raw[]) => Raw[] | void, "caught" | "needs the MAC"][] = [
  ["first deposit's assets + 1", (r) => void (first(r, "deposit").assets = big(first(r, "deposit").assets, 1n)), "caught"],
  ["first deposit's shares × 2", (r) => void (first(r, "deposit").shares = big(first(r, "deposit").shares, BigInt(first(r, "deposit").shares as string))), "caught"],
  ["second deposit's shares + 1", (r) => void (first(r, "deposit", 1).shares = big(first(r, "deposit", 1).shares, 1n)), "caught"],
  ["first deposit's NAV + 1", (r) => void (first(r, "deposit").nav = big(first(r, "deposit").nav, 1n)), "caught"],
  ["a deposit's owner renamed", (r) => void (first(r, "deposit", 0).owner = "mallory"), "needs the MAC"],
  ["a redemption pays 1,000 USDC more", (r) => void (first(r, "redeem").assets = big(first(r, "redeem").assets, 1000n * USDC)), "caught"],
  ["a redemption burns half the shares", (r) => void (first(r, "redeem").shares = String(BigInt(first(r, "redeem").shares as string) / 2n)), "caught"],
  ["a trade's premium − 1", (r) => void (first(r, "trade").premium = big(first(r, "trade").premium, -1n)), "caught"],
  ["a trade's paid − 1", (r) => void (first(r, "trade").paid = big(first(r, "trade").paid, -1n)), "caught"],
  ["a trade's fees − 1", (r) => void (first(r, "trade").fees = big(first(r, "trade").fees, -1n)), "caught"],
  ["a trade's protocol fee − 1", (r) => void (first(r, "trade").protocolFee = big(first(r, "trade").protocolFee, -1n)), "caught"],
  ["a trade's collateral − 1", (r) => void (first(r, "trade").collateral = big(first(r, "trade").collateral, -1n)), "caught"],
  ["a trade's spot moved", (r) => void (first(r, "trade").spot = 2100), "caught"],
  ["a trade's size + 1", (r) => void (first(r, "trade").size = big(first(r, "trade").size, 1n)), "caught"],
  ["a sale pays 100 USDC more", (r) => void (r.find((x) => x.kind === "trade" && x.side === "sell")!.paid = big(r.find((x) => x.kind === "trade" && x.side === "sell")!.paid, 100n * USDC)), "caught"],
  [
    "a holder renamed in its trade and its payout",
    (r) => {
      first(r, "trade", 1).trader = "mallory";
      for (const p of first(r, "settle").payouts as Raw[]) if (p.account === "dave") p.account = "mallory";
    },
    "needs the MAC",
  ],
  ["a payout re-addressed to mallory", (r) => void (((first(r, "settle").payouts as Raw[])[0]!).account = "mallory"), "caught"],
  ["a payout + 1", (r) => void (((first(r, "settle").payouts as Raw[])[0]!).amount = big(((first(r, "settle").payouts as Raw[])[0]!).amount, 1n)), "caught"],
  ["the treasury re-addressed", (r) => void (first(r, "settle").treasury = "mallory"), "caught"],
  ["the treasury fee + 1", (r) => void (first(r, "settle").treasuryFee = big(first(r, "settle").treasuryFee, 1n)), "caught"],
  ["the settlement price alone changed", (r) => void (first(r, "settle").price = 1700), "caught"],
  ["a settlement before its expiry", (r) => void (first(r, "settle").expiry = E + DAY), "caught"],
  [
    "an injected settle paying mallory 40,000 USDC",
    (r) => {
      const s = first(r, "settle");
      const i = r.indexOf(s);
      r.splice(i + 1, 0, { ...s, payouts: [{ account: "mallory", strikeUnits: "190000000000", size: "1000", amount: String(40_000n * USDC) }], unlocked: "0", treasuryFee: "0" });
      r.forEach((x, j) => (x.seq = j + 1));
    },
    "caught",
  ],
  ["an unknown event kind injected", (r) => void r.splice(3, 0, { ...r[3], kind: "bonus" }), "caught"],
  ["a claim replaced by an unknown kind", (r) => void (first(r, "claim").kind = "claimed"), "caught"],
  ['"assets": "+5"', (r) => void (first(r, "donate").assets = "+5"), "caught"],
  ['"assets": "5.0"', (r) => void (first(r, "donate").assets = "5.0"), "caught"],
  ['"seq": "1" (a string)', (r) => void (r[0]!.seq = "1"), "caught"],
  ["an extra field", (r) => void (first(r, "deposit").note = "gift"), "caught"],
  ["a trade deleted", (r) => void r.splice(r.indexOf(first(r, "trade", 1)), 1), "caught"],
  ["two events swapped", (r) => void ([r[0], r[1]] = [r[1]!, r[0]!]), "caught"],
  ["a claim larger than the claimable balance", (r) => void (first(r, "claim").assets = big(first(r, "claim").assets, 1n)), "caught"],
  ["a claim re-addressed to mallory", (r) => void (first(r, "claim").account = "mallory"), "caught"],
  ["a breaker pause of 1e12 s", (r) => void (first(r, "circuitBreaker").pausedUntil = 1e12), "caught"],
  ["a deviation pause's deviation changed", (r) => void (first(r, "tradingPaused").deviation = 0.5), "caught"],
  ["an event moved back in time", (r) => void (first(r, "claim").time = T0 - 1), "caught"],
  ["a queue payment's assets + 1", (r) => void (first(r, "withdrawalPaid").assets = big(first(r, "withdrawalPaid").assets, 1n)), "caught"],
];

describe("7. replay refuses a tampered log and names the first bad event", () => {
  it("the untampered log replays to the identical state, with and without a ledger key", () => {
    const f = busyPool();
    expect(OptionPool.fromJSON(f.config, eventsToJSON(f.pool.events)).snapshot()).toEqual(f.pool.snapshot());
    const k = busyPool(KEY);
    expect(k.pool.events.every((e) => typeof e.mac === "string")).toBe(true);
    expect(OptionPool.fromJSON(k.config, eventsToJSON(k.pool.events)).snapshot()).toEqual(k.pool.snapshot());
  });

  it.each(TAMPERINGS)("%s: refused as written, refused when the forger recomputes the chain (or, with a key, by the MAC)", (_name, tamper, rechained) => {
    const f = busyPool();
    const original = rawLog(f.pool);
    const raw = structuredClone(original);
    tamper(raw);
    const badSeq = raw.findIndex((r, i) => JSON.stringify(r) !== JSON.stringify(original[i])) + 1;
    // As written: the schema or the chain refuses it, at the first changed event.
    const asWritten = replayError(f, raw);
    expect(asWritten, "a tampered log must not replay").toBeDefined();
    expect(["INVALID_EVENT", "TAMPERED", "REPLAY_MISMATCH"]).toContain(asWritten!.code);
    expect(asWritten!.message).toMatch(new RegExp(`seq ${badSeq}\\b|events\\[${badSeq - 1}\\]`));
    // Rechained by a forger without the key: the re-derivations refuse what follows from the rest of the log.
    const forged = rechain(raw, f);
    const verified = replayError(f, forged);
    if (rechained === "caught") {
      expect(verified, "the verifying replay must refuse it").toBeDefined();
      expect(["INVALID_EVENT", "REPLAY_MISMATCH"]).toContain(verified!.code);
    } else expect(verified).toBeUndefined(); // who is who is not derivable: only the MAC protects it
    // With a ledger key, a forger without it cannot produce valid MACs for the rechained log.
    const k = busyPool(KEY);
    const rawK = structuredClone(rawLog(k.pool));
    tamper(rawK);
    const withKey = replayError(k, rechain(rawK, k), KEY);
    expect(withKey).toBeDefined();
    expect(withKey!.message).toMatch(new RegExp(`seq ${badSeq}\\b|events\\[${badSeq - 1}\\]`));
  });

  it("a log cannot be replayed into a pool of another identity (treasury), nor without its key, nor with a wrong one", () => {
    const f = busyPool(KEY);
    const text = eventsToJSON(f.pool.events);
    expect(() => OptionPool.fromJSON({ ...f.config, treasury: "other" }, text)).toThrow(/TAMPERED.*seq 1/);
    expect(() => OptionPool.fromJSON({ ...f.config, ledgerKey: "another secret of at least thirty-two bytes" }, text)).toThrow(/TAMPERED \(mac\).*seq 1/);
    const stripped = rawLog(f.pool).map(({ mac: _mac, ...r }) => r);
    expect(() => OptionPool.fromJSON(f.config, JSON.stringify(stripped))).toThrow(/no mac/);
    expect(() => makePool(pricer, { config: { ledgerKey: "short" } })).toThrow(/ledgerKey/);
  });
});

describe("7b. the peer book's log: the same schema, chain, MAC and re-derivations", () => {
  const S = { type: "put" as const, strike: 1800, expiry: E };
  function busyBook(ledgerKey?: string) {
    const f = makePool(pricer); // no liquidity: the pool fills nothing, the peers trade with each other
    const book = new PeerBook(f.pool, ledgerKey ? { ledgerKey } : {});
    book.list(S);
    book.submit("alice", { ...S, side: "sell", size: 300n, limitPrice: 30n * USDC, funds: 10_000n * USDC });
    book.submit("bob", { ...S, side: "buy", size: 200n, limitPrice: 30n * USDC, funds: 10_000n * USDC });
    book.submit("carol", { ...S, side: "buy", size: 100n, limitPrice: 10n * USDC, funds: 10_000n * USDC });
    book.submit("dave", { ...S, side: "sell", size: 50n, limitPrice: 10n * USDC, funds: 10_000n * USDC });
    book.cancel("alice", 1);
    f.clock.set(E);
    f.oracle.push({ timestamp: E, spot: 1700 });
    book.settle(E);
    book.claim("bob");
    return { f, book };
  }
  const BOOK_TAMPERINGS: [string, (r: Raw[]) => void][] = [
    ["a fill's premium − 1", (r) => void (first(r, "fill").amount = big(first(r, "fill").amount, -1n))],
    ["a fill's collateral − 1000", (r) => void (first(r, "fill").collateral = big(first(r, "fill").collateral, -1000n))],
    ["a resting ask escrows less", (r) => void (first(r, "place").escrow = big(first(r, "place").escrow, -1n))],
    ["a cancel refunds more", (r) => void (first(r, "cancel").refund = big(first(r, "cancel").refund, 1n))],
    ["a long payout re-addressed", (r) => void (((first(r, "settle").payouts as Raw[])[0]!).account = "mallory")],
    ["a payout + 1", (r) => void (((first(r, "settle").payouts as Raw[])[0]!).amount = big(((first(r, "settle").payouts as Raw[])[0]!).amount, 1n))],
    ["the settlement price changed", (r) => void (first(r, "settle").priceUnits = "150000000000")],
    ["the dust re-addressed", (r) => void (first(r, "settle").treasury = "mallory")],
    ["an unknown kind", (r) => void (first(r, "claim").kind = "bonus")],
    ['"amount": "+5"', (r) => void (first(r, "fill").amount = "+5")],
    ["a claim larger than the balance", (r) => void (first(r, "claim").assets = big(first(r, "claim").assets, 1n))],
    ["a fill's taker is its maker", (r) => void (first(r, "fill").taker = first(r, "fill").maker)],
  ];

  it("replays the untampered log, with and without a key", () => {
    const { f, book } = busyBook();
    expect(PeerBook.fromJSON(f.pool, bookEventsToJSON(book.events)).snapshot()).toEqual(book.snapshot());
    const k = busyBook(KEY);
    expect(PeerBook.fromJSON(k.f.pool, bookEventsToJSON(k.book.events), { ledgerKey: KEY }).snapshot()).toEqual(k.book.snapshot());
  });

  it.each(BOOK_TAMPERINGS)("%s: refused as written, after a rechain without the key, and by the MAC", (_name, tamper) => {
    const { f, book } = busyBook();
    const raw = JSON.parse(bookEventsToJSON(book.events)) as Raw[];
    tamper(raw);
    expect(() => PeerBook.fromJSON(f.pool, JSON.stringify(raw))).toThrow(PoolError);
    let previous = genesisHash({ ...f.pool.settings }, "book");
    const forged = raw.map((r, i) => {
      try {
        const { mac: _mac, ...unsealed } = r;
        const e = decodeBookEvent({ ...unsealed, hash: "0".repeat(64) }, `events[${i}]`);
        previous = hashAfter(previous, canonicalBookEvent(e));
        return { ...r, hash: previous };
      } catch {
        return r;
      }
    });
    expect(() => PeerBook.fromJSON(f.pool, JSON.stringify(forged))).toThrow(/INVALID_EVENT|REPLAY_MISMATCH/);
    const k = busyBook(KEY);
    const rawK = JSON.parse(bookEventsToJSON(k.book.events)) as Raw[];
    tamper(rawK);
    expect(() => PeerBook.fromJSON(k.f.pool, JSON.stringify(rawK), { ledgerKey: KEY })).toThrow(PoolError);
  });
});

describe("8. a pool operation cannot re-enter another", () => {
  it("a beforeCommit hook calling CircuitBreakers.check() is refused (REENTRANT_CALL); the outer operation changes nothing; the log replays", () => {
    const f = makePool(pricer);
    const breakers = new CircuitBreakers(f.pool, { minFreeLiquidityRatio: 0.99 }); // due once options are open
    f.pool.deposit("alice", 100_000n * USDC);
    f.pool.trade("t", { type: "put", strike: 1900, expiry: E, size: 100n, side: "buy", maxCost: 10n ** 12n });
    f.pool.riskHooks = { beforeCommit: () => void breakers.check() };
    expectRejected(f.pool, () => f.pool.trade("t", { type: "put", strike: 1900, expiry: E, size: 100n, side: "buy", maxCost: 10n ** 12n }), "REENTRANT_CALL", "operation");
    // A hook that swallows the refusal: the outer trade goes through, the nested one did not happen.
    f.pool.riskHooks = {
      beforeCommit: () => {
        try {
          f.pool.deposit("hook", 1n * USDC);
        } catch (e) {
          expect((e as PoolError).code).toBe("REENTRANT_CALL");
        }
      },
    };
    f.pool.trade("t", { type: "put", strike: 1900, expiry: E, size: 100n, side: "buy", maxCost: 10n ** 12n });
    expect(f.pool.sharesOf("hook")).toBe(0n);
    const seqs = f.pool.events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(OptionPool.replay(f.config, f.pool.events).snapshot()).toEqual(f.pool.snapshot());
  });
});

describe("9. async results are tied to the seq they were computed at", () => {
  /** An async pricer that lets `during` run (a trade) while the batch is priced, the first `times` times. */
  function racing(during: () => void, times = 1) {
    let left = times;
    return {
      async blackScholes(batch: OptionBatch): Promise<Greeks> {
        const g = pricer.blackScholes(batch);
        await Promise.resolve();
        if (left-- > 0) during();
        return g;
      },
    };
  }

  it("GreeksMonitor.refresh never stamps pre-trade greeks as current (before: delta 2.86 stored against 44.06 after the trade)", async () => {
    const f = makePool(pricer);
    f.pool.deposit("lp", 1_000_000n * USDC);
    f.pool.trade("t", { type: "put", strike: 1900, expiry: E, size: 100n, side: "buy", maxCost: 10n ** 12n });
    const monitor = new GreeksMonitor(f.pool);
    const g = await monitor.refresh(racing(() => f.pool.trade("t", { type: "put", strike: 2000, expiry: E, size: 5_000n, side: "buy", maxCost: 10n ** 13n })));
    expect(g.seq).toBe(f.pool.seq);
    expect(g.total.delta).toBeCloseTo(new GreeksMonitor(f.pool).refreshSync(pricer).total.delta, 12);
    expect(() => monitor.assertUsableForQuote()).not.toThrow();
    // Figures from before a later trade are refused for quotes.
    f.pool.trade("t", { type: "put", strike: 2000, expiry: E, size: 100n, side: "buy", maxCost: 10n ** 12n });
    expect(() => monitor.assertUsableForQuote()).toThrow(/STALE_GREEKS.*changed at seq/);
    // A ledger that moves during every pricing: refused, not stale.
    await expect(monitor.refresh(racing(() => f.pool.donate("d", 1n), 10))).rejects.toThrow(/LEDGER_MOVED/);
  });

  it("navAsync returns the NAV of one ledger state (before: 1,007,896 matching neither 1,000,014 before nor 1,000,917 after)", async () => {
    const f = makePool(pricer);
    f.pool.deposit("lp", 1_000_000n * USDC);
    f.pool.trade("t", { type: "put", strike: 1900, expiry: E, size: 1_000n, side: "buy", maxCost: 10n ** 12n });
    const nav = await f.pool.navAsync(racing(() => f.pool.trade("t", { type: "put", strike: 2000, expiry: E, size: 10_000n, side: "buy", maxCost: 10n ** 13n })));
    expect(nav).toBe(f.pool.nav());
    const book = f.pool.openBook();
    f.pool.donate("d", 1n);
    expectRejected(f.pool, () => f.pool.navFromGreeks(book, pricer.blackScholes(book.batch)), "LEDGER_MOVED", "book");
  });
});

describe("10. every operation commits whole or throws a PoolError and changes nothing", () => {
  it("PeerBook.submit and settle refused after an order's series expired leave the book untouched (before: the expiry refunds were committed)", () => {
    const f = makePool(pricer);
    f.pool.deposit("lp", 100_000n * USDC);
    const book = new PeerBook(f.pool);
    const short = { type: "put" as const, strike: 1800, expiry: T0 + DAY };
    const long = { type: "put" as const, strike: 1800, expiry: T0 + 30 * DAY };
    book.list(short);
    book.list(long);
    book.submit("alice", { ...short, side: "sell", size: 100n, limitPrice: 20n * USDC, funds: 1800n * USDC });
    f.clock.set(T0 + DAY + 1);
    f.oracle.push({ timestamp: T0 + DAY + 1, spot: 2000 });
    const before = JSON.stringify(book.snapshot());
    const events = book.events.length;
    expect(() => book.submit("bob", { ...long, side: "buy", size: 100n, limitPrice: 100n * USDC, funds: 1n })).toThrow(PoolError);
    expect(() => book.settle(short.expiry)).toThrow(PoolError);
    expect(JSON.stringify(book.snapshot())).toBe(before);
    expect(book.events.length).toBe(events);
    expect(book.expireOrders()).toBe(1);
  });

  it("a trade at exactly expiry with minTimeToExpirySeconds 0 is TOO_CLOSE_TO_EXPIRY (before: PricingInputError)", () => {
    const f = makePool(pricer, { params: { minTimeToExpirySeconds: 0 } });
    f.pool.deposit("lp", 100_000n * USDC);
    expectRejected(f.pool, () => f.pool.trade("t", { type: "put", strike: 1900, expiry: T0, size: 100n, side: "buy", maxCost: 10n ** 12n }), "TOO_CLOSE_TO_EXPIRY", "expiry");
  });

  it("a failure inside a collaborator (the pricer throws) is a PoolError INTERNAL_ERROR with its cause, and nothing changes", () => {
    const f = makePool(pricer);
    f.pool.deposit("lp", 100_000n * USDC);
    const broken = makePool(pricer, { config: { pricer: { blackScholes: () => { throw new TypeError("kernel gone"); } } } });
    broken.pool.deposit("lp", 100_000n * USDC);
    const e = expectRejected(broken.pool, () => broken.pool.trade("t", { type: "put", strike: 1900, expiry: E, size: 100n, side: "buy", maxCost: 10n ** 12n }), "INTERNAL_ERROR", "operation");
    expect((e.cause as Error).message).toBe("kernel gone");
  });
});

describe("11. inputs are validated by name, unit and bound", () => {
  it.each([
    ["control character", "ali\u0007ce"], ["zero-width space", "ali\u200bce"], ["trailing space", "alice "], ["leading space", " alice"],
    ["double space", "al  ice"], ["bidi override", "\u202ealice"], ["not NFC", "cafe\u0301"], ["tab", "al\tice"], ["empty", ""], ["129 characters", "a".repeat(129)],
  ])("an account name with a %s is refused everywhere (look-alike accounts)", (_what, name) => {
    const f = makePool(pricer);
    f.pool.deposit("lp", 100_000n * USDC);
    expectRejected(f.pool, () => f.pool.deposit(name, USDC), "INVALID_INPUT", "owner");
    expectRejected(f.pool, () => f.pool.trade(name, { type: "put", strike: 1900, expiry: E, size: 100n, side: "buy", maxCost: 10n ** 12n }), "INVALID_INPUT", "trader");
    expect(() => new PeerBook(f.pool).submit(name, { type: "put", strike: 1900, expiry: E, side: "buy", size: 1n, funds: 1n })).toThrow(/trader/);
  });

  it("the check's ASCII shortcut decides every ASCII name as the full rule does (letters, punctuation, symbols, single inner spaces)", () => {
    const rule = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]+(?: [\p{L}\p{M}\p{N}\p{P}\p{S}]+)*$/u;
    const ascii = fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 12 });
    const spaced = fc.array(fc.constantFrom("a", "Z", "0", "@", "~", " ", "\t", "\u007f"), { minLength: 1, maxLength: 8 }).map((cs) => cs.join(""));
    fc.assert(fc.property(fc.oneof(ascii, spaced), (name) => (accountProblem(name) === undefined) === rule.test(name)), { numRuns: 3000, seed: 5 });
  });

  it("names that merely look unusual stay usable: addresses, e-mails, accents in NFC, single inner spaces", () => {
    const f = makePool(pricer);
    for (const name of ["0xAbC0000000000000000000000000000000000001", "ops@example.org", "café", "Desk 7"]) expect(f.pool.deposit(name, USDC)).toBeGreaterThan(0n);
  });

  it("strikes are exact decimal units however large or fine (before: 1e12 refused, priceDecimals ≥ 13 unusable)", () => {
    const f = makePool(pricer, { spot: 1e12, params: { minMoneyness: 0.5 } });
    f.pool.deposit("lp", 10n ** 18n * USDC);
    expect(f.pool.quote({ type: "put", strike: 1e12, expiry: E, size: 100n, side: "buy" }).series.strikeUnits).toBe(10n ** 20n);
    const g = makePool(pricer, { config: { priceDecimals: 18 } });
    g.pool.deposit("lp", 100_000n * USDC);
    expect(g.pool.quote({ type: "put", strike: 1800.25, expiry: E, size: 100n, side: "buy" }).series.strikeUnits).toBe(180025n * 10n ** 16n);
    const h = makePool(pricer);
    h.pool.deposit("lp", 100_000n * USDC);
    expectRejected(h.pool, () => h.pool.quote({ type: "put", strike: 1800.123456789, expiry: E, size: 100n, side: "buy" }), "INVALID_INPUT", "strike"); // 9 decimals of 8
  });

  it("a breaker pause in milliseconds, an unknown breaker, unknown parameters and breaker options in milliseconds are refused; a pause can be lifted", () => {
    const f = makePool(pricer);
    f.pool.deposit("lp", 100_000n * USDC);
    expectRejected(f.pool, () => f.pool.tripCircuitBreaker("liquidity", "ms", T0 * 1000 + 3_600_000), "INVALID_INPUT", "pausedUntil");
    expectRejected(f.pool, () => f.pool.tripCircuitBreaker("everything" as "liquidity", "x", T0 + 60), "INVALID_INPUT", "breaker");
    expect(() => new CircuitBreakers(f.pool, { liquidityPauseSeconds: 3_600_000 })).toThrow(/breakers\.liquidityPauseSeconds/);
    expect(() => resolveParams({ tradingPauseSeconds: 900_000_000 })).toThrow(/tradingPauseSeconds/);
    expect(() => resolveParams({ maxOracleAgeSecond: 5 } as never)).toThrow(/not a pool parameter/);
    f.pool.tripCircuitBreaker("liquidity", "test", T0 + 3600);
    expect(f.pool.withdrawalsPausedUntil).toBe(T0 + 3600);
    expectRejected(f.pool, () => f.pool.liftPause("withdrawals", ""), "INVALID_INPUT", "reason");
    f.pool.liftPause("withdrawals", "false alarm: the liquidity ratio was read from a stale snapshot");
    expect(f.pool.withdrawalsPausedUntil).toBe(0);
    expect(f.pool.redeem("lp", 1_000_000n).assets).toBeGreaterThan(0n);
  });

  it("a string seq in a log is refused by name, not as 'expected 1, got 1'", () => {
    const f = makePool(pricer);
    f.pool.deposit("lp", USDC);
    const raw = rawLog(f.pool);
    raw[0]!.seq = "1";
    expect(() => OptionPool.fromJSON(f.config, JSON.stringify(raw))).toThrow(/INVALID_EVENT \(seq\): events\[0\]: seq must be an integer/);
  });
});
