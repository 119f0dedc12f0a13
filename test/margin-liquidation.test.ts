// Liquidation of margin accounts: the Dutch auction's schedule and partial fills, the insurance fund and socialised
// loss, replay of the margin log, and one test per class of liquidation bug that audits of such systems report:
// a stale price blocking liquidation, a liquidator front-running the auction, dust that can never be liquidated, an
// auction that never clears, and an LP withdrawal just before bad debt is socialised.
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { ManualClock, ManualOracle, PoolError } from "../pool/index.js";
import {
  derive33, MarginLedger, marginEventsFromJSON, marginEventsToJSON, marginGenesisHash, PPB, type MarginEvent, type MarginLedgerConfig, type MarginSeries,
} from "../pool/margin/index.js";
import { canonicalMarginEvent } from "../pool/margin/events.js";
import { hashAfter } from "../pool/ledger-chain.js";

const T0 = 1_767_225_600;
const DAY = 86_400;
const USDC = 1_000_000n;
const CONTRACT = 100n;
const PUT: MarginSeries = { type: "put", strike: 1800, expiry: T0 + 30 * DAY };
let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

function setup(liquidation: MarginLedgerConfig["liquidation"] = {}) {
  const clock = new ManualClock(T0);
  const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 });
  const config: MarginLedgerConfig = { pricer, oracle, clock, scales: { decimals: 6, sizeDecimals: 2 }, preset: derive33(), liquidation };
  const ledger = new MarginLedger(config);
  const move = (spot: number, seconds = 1) => {
    clock.advance(seconds);
    oracle.push({ spot, timestamp: clock.now(), baseVol: 0.6 });
  };
  return { clock, oracle, ledger, config, move };
}

/** A writer short `contracts` puts with just its initial margin (+ `extra`), a buyer, and an LP with deep pockets. */
function writerShort(t: ReturnType<typeof setup>, contracts: bigint, extra = 0n) {
  const { ledger } = t;
  ledger.deposit("lp", 10_000_000n * USDC);
  ledger.deposit("buyer", 1_000_000n * USDC);
  const premium = 60n * USDC;
  const need = ledger.marginOf("writer", [{ series: PUT, size: -contracts * CONTRACT }]).initial - premium * contracts;
  ledger.deposit("writer", need + extra);
  ledger.trade("buyer", "writer", { series: PUT, size: contracts * CONTRACT, price: premium });
}

function expectPoolError(f: () => unknown, code: string, field?: string) {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PoolError);
    expect((e as PoolError).code).toBe(code);
    if (field) expect((e as PoolError).field).toBe(field);
    return;
  }
  throw new Error("did not throw");
}

/** Replays the log and compares every account, the fund and the auctions. */
function expectReplays(t: ReturnType<typeof setup>) {
  const again = MarginLedger.fromJSON(t.config, marginEventsToJSON(t.ledger.events));
  for (const name of t.ledger.accountNames) {
    expect(again.cashOf(name)).toBe(t.ledger.cashOf(name));
    expect(again.positionsOf(name)).toEqual(t.ledger.positionsOf(name));
  }
  expect(again.insuranceFund).toBe(t.ledger.insuranceFund);
  expect(again.badDebt).toEqual(t.ledger.badDebt);
  expect(again.held).toBe(t.ledger.held);
}

describe("liquidation by Dutch auction", () => {
  it("a healthy account cannot be auctioned; below maintenance it can, and a partial fill restores the initial margin", () => {
    const t = setup();
    writerShort(t, 10n);
    expectPoolError(() => t.ledger.startAuction("writer"), "INVALID_INPUT", "account");
    t.move(1700);
    const m = t.ledger.marginOf("writer");
    expect(m.cash).toBeLessThan(m.maintenance);
    const terms = t.ledger.startAuction("writer");
    t.clock.advance(120);
    const bid = t.ledger.bid("lp", "writer");
    // 120 s of 600 to a 50 % floor: the discount is 10 % of the maintenance margin.
    expect(bid.price).toBe(terms.mark - (terms.maintenance * 100_000n) / 1_000_000n);
    expect(bid.fractionPpb).toBeLessThan(PPB);
    expect(t.ledger.auction("writer")).toBeUndefined(); // closed: restored
    const after = t.ledger.marginOf("writer");
    expect(after.cash).toBeGreaterThanOrEqual(((PPB - bid.fractionPpb) * terms.initial) / PPB);
    expect(t.ledger.insuranceFund).toBe(bid.penalty);
    expect(t.ledger.positionsOf("lp")[0]!.size + t.ledger.positionsOf("writer")[0]!.size).toBe(-10n * CONTRACT);
    expectReplays(t);
  });

  it("replay refuses a tampered amount, and a re-sealed bid larger or cheaper than the schedule allows", () => {
    const t = setup();
    writerShort(t, 10n);
    t.move(1700);
    t.ledger.startAuction("writer");
    t.ledger.bid("lp", "writer");
    const events = JSON.parse(marginEventsToJSON(t.ledger.events)) as Record<string, unknown>[];
    const bid = events.findIndex((e) => e.kind === "bid");
    const tampered = events.map((e, i) => (i === bid ? { ...e, amount: String(BigInt(e.amount as string) - 1n) } : e));
    expect(() => MarginLedger.fromJSON(t.config, JSON.stringify(tampered))).toThrow(/TAMPERED/);
    // Re-sealing the chain does not help: a bid for more than the schedule allows, or at another price, is re-derived.
    const decoded = marginEventsFromJSON(JSON.stringify(events));
    const reseal = (change: (e: MarginEvent) => MarginEvent) => {
      let previous = marginGenesisHash(t.config.scales);
      return decoded.map((e, i) => {
        const { hash: _h, ...body } = i === bid ? change(e) : e;
        const sealed = { ...body, hash: hashAfter(previous, canonicalMarginEvent(body as MarginEvent)) } as MarginEvent;
        previous = sealed.hash;
        return sealed;
      });
    };
    expect(MarginLedger.replay(t.config, reseal((e) => e)).held).toBe(t.ledger.held);
    const greedy = (e: MarginEvent) => ({ ...e, fractionPpb: PPB, filledPpb: PPB }) as MarginEvent;
    expectPoolError(() => MarginLedger.replay(t.config, reseal(greedy)), "REPLAY_MISMATCH", "fractionPpb");
    const cheap = (e: MarginEvent) => ({ ...e, price: (e as { price: bigint }).price - 1000n }) as MarginEvent;
    expectPoolError(() => MarginLedger.replay(t.config, reseal(cheap)), "REPLAY_MISMATCH", "price");
  });
});

describe("classes of liquidation bugs, one test each", () => {
  it("a stale price cannot start an auction, open risk or release cash, and cannot block a running auction", () => {
    const t = setup();
    writerShort(t, 10n);
    t.move(1650);
    t.clock.advance(3600); // the oracle stalls for an hour
    expectPoolError(() => t.ledger.startAuction("writer"), "STALE_ORACLE");
    expectPoolError(() => t.ledger.withdraw("writer", 1n), "STALE_ORACLE");
    expectPoolError(() => t.ledger.trade("buyer", "writer", { series: PUT, size: 1n, price: 1n }), "STALE_ORACLE");
    t.move(1650);
    t.ledger.startAuction("writer");
    t.clock.advance(3600); // stalls again, mid-auction
    const bid = t.ledger.bid("lp", "writer");
    expect(bid.fractionPpb).toBeGreaterThan(0n);
    expect(t.ledger.auction("writer")).toBeUndefined();
    expectReplays(t);
  });

  it("front-running: no discount at the start, no more than what restores the margin, no self-liquidation", () => {
    const t = setup();
    writerShort(t, 10n);
    t.move(1700);
    const terms = t.ledger.startAuction("writer");
    expectPoolError(() => t.ledger.startAuction("writer"), "INVALID_INPUT", "account");
    expectPoolError(() => t.ledger.bid("writer", "writer"), "INVALID_INPUT", "liquidator");
    expect(t.ledger.auction("writer")!.price).toBe(terms.mark);
    const bid = t.ledger.bid("lp", "writer", PPB); // asks for everything in the same second
    expect(bid.price).toBe(terms.mark); // pays the mark: nothing to gain by being first
    expect(bid.fractionPpb).toBeLessThan(PPB); // capped at the partial fill
    expect(t.ledger.auction("writer")).toBeUndefined(); // which restored the initial margin
    expect(bid.amount).toBeLessThan(0n); // a short portfolio: the liquidator is paid the mark of what it takes on
    expectPoolError(() => t.ledger.bid("buyer", "writer"), "INVALID_INPUT", "account"); // closed: nothing left to take
  });

  it("dust positions: a 0.01-contract short below maintenance is taken whole in one bid", () => {
    const t = setup();
    t.ledger.deposit("lp", 1_000_000n * USDC);
    t.ledger.deposit("buyer", 1_000n * USDC);
    const need = t.ledger.marginOf("dust", [{ series: PUT, size: -1n }]).initial;
    t.ledger.deposit("dust", need);
    t.ledger.trade("buyer", "dust", { series: PUT, size: 1n, price: 0n });
    t.move(1400);
    t.ledger.startAuction("dust");
    const bid = t.ledger.bid("lp", "dust", 1n); // even the smallest bid
    expect(bid.fractionPpb).toBe(PPB);
    expect(t.ledger.positionsOf("dust")).toEqual([]);
    expect(t.ledger.auction("dust")).toBeUndefined();
  });

  it("an auction that never clears: the smallest bids still move a size unit each, so it ends within that many bids", () => {
    const t = setup({ dustUnits: 0n });
    writerShort(t, 3n);
    t.move(1200); // deep under water: no partial fill restores it
    t.ledger.startAuction("writer");
    let bids = 0;
    while (t.ledger.auction("writer") && bids < 1000) {
      t.ledger.bid("lp", "writer", 1n);
      bids++;
    }
    expect(t.ledger.auction("writer")).toBeUndefined();
    expect(bids).toBeLessThanOrEqual(300); // 3 contracts = 300 size units
    expect(t.ledger.positionsOf("writer")).toEqual([]);
    expectReplays(t);
  });

  it("an auction nobody bids on reaches its floor, where the pool's account takes the rest", () => {
    const t = setup();
    writerShort(t, 3n);
    t.ledger.deposit("pool", 1_000_000n * USDC);
    t.move(1200);
    const terms = t.ledger.startAuction("writer");
    t.clock.advance(10 * 600);
    expect(t.ledger.auction("writer")!.price).toBe(terms.mark - terms.maintenance / 2n);
    t.ledger.bid("pool", "writer");
    expect(t.ledger.auction("writer")).toBeUndefined();
    expect(t.ledger.positionsOf("writer")).toEqual([]);
    expect(t.ledger.positionsOf("pool")).toEqual([{ series: PUT, size: -300n }]);
    expect(t.ledger.cashOf("writer")).toBeGreaterThanOrEqual(0n);
    expectReplays(t);
  });

  it("an LP withdrawal just before bad debt is socialised is refused; afterwards the LP has borne its share", () => {
    const t = setup({ floorDiscountPpm: 1_000_000n, penaltyPpm: 0n });
    writerShort(t, 10n);
    t.move(1000); // spot halves: the writer's cash no longer covers the mark of its puts
    const m = t.ledger.marginOf("writer");
    expect(m.cash + m.mark).toBeLessThan(0n);
    expectPoolError(() => t.ledger.withdraw("lp", 1n), "WITHDRAWALS_PAUSED");
    t.ledger.startAuction("writer");
    expectPoolError(() => t.ledger.withdraw("lp", 1n), "WITHDRAWALS_PAUSED");
    const lpBefore = t.ledger.cashOf("lp") + t.ledger.cashOf("buyer");
    t.clock.advance(600);
    t.ledger.bid("buyer", "writer"); // at the floor: the buyer takes back its own puts and is paid to
    expect(t.ledger.auction("writer")).toBeUndefined();
    expect(t.ledger.cashOf("writer")).toBe(0n);
    const { socialised } = t.ledger.badDebt;
    expect(socialised).toBeGreaterThan(0n); // the fund was empty (no penalties)
    expect(t.ledger.insuranceFund).toBe(0n);
    t.move(1000);
    t.ledger.withdraw("lp", 1n);
    expect(t.ledger.held).toBe(t.ledger.cashOf("lp") + t.ledger.cashOf("buyer") + t.ledger.cashOf("writer") + t.ledger.insuranceFund);
    expect(lpBefore).toBeGreaterThan(0n);
    expectReplays(t);
  });

  it("the insurance fund pays bad debt before anyone is charged", () => {
    const t = setup({ floorDiscountPpm: 1_000_000n });
    writerShort(t, 10n);
    t.ledger.fundInsurance("lp", 1_000_000n * USDC);
    t.move(1000);
    t.ledger.startAuction("writer");
    t.clock.advance(600);
    const lp = t.ledger.cashOf("lp");
    t.ledger.bid("buyer", "writer");
    expect(t.ledger.badDebt.covered).toBeGreaterThan(0n);
    expect(t.ledger.badDebt.socialised).toBe(0n);
    expect(t.ledger.cashOf("lp")).toBe(lp);
    expectReplays(t);
  });
});

describe("settlement of margin positions", () => {
  it("pays intrinsic value from shorts to longs at the settlement price, and socialises a writer's deficit", () => {
    const t = setup();
    writerShort(t, 10n);
    const writerCash = t.ledger.cashOf("writer");
    const buyerCash = t.ledger.cashOf("buyer");
    t.clock.set(PUT.expiry);
    expectPoolError(() => t.ledger.settle(PUT.expiry + 1, 1n), "NOT_EXPIRED");
    // At 1,000 the put is worth 800 per contract: 8,000 USDC for 10, more than the writer holds.
    const payouts = t.ledger.settle(PUT.expiry, 1000n * USDC);
    expect(payouts).toEqual([{ account: "buyer", amount: 8_000n * USDC }, { account: "writer", amount: -8_000n * USDC }]);
    expect(t.ledger.cashOf("buyer")).toBeLessThan(buyerCash + 8_000n * USDC); // it bore part of the deficit
    expect(t.ledger.cashOf("writer")).toBe(0n);
    expect(t.ledger.badDebt.socialised).toBe(8_000n * USDC - writerCash);
    expect(t.ledger.positionsOf("buyer")).toEqual([]);
    expectReplays(t);
  });
});
