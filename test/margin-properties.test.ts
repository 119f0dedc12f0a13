// Conservation and replay of the margin ledger under random operations (fast-check): after every operation paid in
// − paid out = Σ cash + insurance fund and every series nets to zero; a rejected operation appends nothing and
// changes nothing; replaying the log (from its JSON) rebuilds every account, the fund and the bad-debt totals.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { ManualClock, ManualOracle, PoolError } from "../pool/index.js";
import { MarginLedger, marginEventsToJSON, span16, type MarginLedgerConfig, type MarginSeries } from "../pool/margin/index.js";

const T0 = 1_767_225_600;
const DAY = 86_400;
const USDC = 1_000_000n;
const ACCOUNTS = ["a", "b", "c", "d"];
const SERIES: MarginSeries[] = [
  { type: "put", strike: 1800, expiry: T0 + 2 * DAY },
  { type: "call", strike: 2200, expiry: T0 + 2 * DAY },
  { type: "put", strike: 1900, expiry: T0 + 9 * DAY },
];
let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

const op = fc.oneof(
  fc.record({ kind: fc.constant("deposit" as const), who: fc.nat(3), assets: fc.bigInt({ min: 1n, max: 20_000n }) }),
  fc.record({ kind: fc.constant("trade" as const), buyer: fc.nat(3), seller: fc.nat(3), series: fc.nat(2), size: fc.bigInt({ min: 1n, max: 2_000n }), price: fc.bigInt({ min: 0n, max: 200n }) }),
  fc.record({ kind: fc.constant("move" as const), factor: fc.double({ min: 0.6, max: 1.4, noNaN: true }), seconds: fc.integer({ min: 1, max: 2 * DAY }) }),
  fc.record({ kind: fc.constant("withdraw" as const), who: fc.nat(3), assets: fc.bigInt({ min: 1n, max: 20_000n }) }),
  fc.record({ kind: fc.constant("auction" as const), who: fc.nat(3) }),
  fc.record({ kind: fc.constant("bid" as const), who: fc.nat(3), target: fc.nat(3), ppb: fc.option(fc.bigInt({ min: 1n, max: 1_000_000_000n })) }),
  fc.record({ kind: fc.constant("settle" as const), series: fc.nat(2) }),
);

describe("margin ledger conservation and replay (fast-check)", () => {
  it("holds after every operation, rejected operations change nothing, and the log replays", () => {
    fc.assert(fc.property(fc.array(op, { minLength: 5, maxLength: 40 }), (ops) => {
      const clock = new ManualClock(T0);
      const oracle = new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 });
      const config: MarginLedgerConfig = { pricer, oracle, clock, scales: { decimals: 6, sizeDecimals: 2 }, preset: span16() };
      const ledger = new MarginLedger(config);
      let spot = 2000;
      for (const o of ops) {
        const before = { events: ledger.events.length, held: ledger.held, fund: ledger.insuranceFund };
        try {
          switch (o.kind) {
            case "deposit": ledger.deposit(ACCOUNTS[o.who]!, o.assets * USDC); break;
            case "trade": ledger.trade(ACCOUNTS[o.buyer]!, ACCOUNTS[o.seller]!, { series: SERIES[o.series]!, size: o.size, price: o.price * USDC }); break;
            case "move":
              clock.advance(o.seconds);
              spot = Math.max(100, spot * o.factor);
              oracle.push({ spot, timestamp: clock.now(), baseVol: 0.6 });
              break;
            case "withdraw": ledger.withdraw(ACCOUNTS[o.who]!, o.assets * USDC); break;
            case "auction": ledger.startAuction(ACCOUNTS[o.who]!); break;
            case "bid": ledger.bid(ACCOUNTS[o.who]!, ACCOUNTS[o.target]!, o.ppb ?? undefined); break;
            case "settle": ledger.settle(SERIES[o.series]!.expiry, BigInt(Math.round(spot * 1e6))); break;
          }
        } catch (e) {
          if (!(e instanceof PoolError)) throw e;
          expect(e.code).not.toBe("INTERNAL_ERROR");
          expect(ledger.events.length).toBe(before.events);
          expect(ledger.held).toBe(before.held);
          expect(ledger.insuranceFund).toBe(before.fund);
        }
        const sum = ledger.accountNames.reduce((s, n) => s + ledger.cashOf(n), ledger.insuranceFund);
        expect(sum).toBe(ledger.held);
      }
      const again = MarginLedger.fromJSON(config, marginEventsToJSON(ledger.events));
      for (const n of ledger.accountNames) {
        expect(again.cashOf(n)).toBe(ledger.cashOf(n));
        expect(again.positionsOf(n)).toEqual(ledger.positionsOf(n));
      }
      expect(again.insuranceFund).toBe(ledger.insuranceFund);
      expect(again.badDebt).toEqual(ledger.badDebt);
    }), { numRuns: 60 });
  });
});
