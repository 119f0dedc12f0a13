// Stress and VaR count the hedge (pool/risk/valuation.ts hedgeValueAt): the hedge is a linear position worth
// margin + size·spot·unit − entry at each scenario's and path's spot. Checked against hand-computed values: the
// stress grid's NAV of a hedged pool differs from its unhedged twin's by exactly the hedge's linear P&L (plus what
// hedging paid), a fully hedged short put loses less in every spot-down scenario, the VaR of a hedge alone is its
// linear loss at the spot quantile of the same Philox paths, and a delta-hedged book's VaR falls accordingly.
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { Hedger, prepareBook, SimulatedVenue, stressTestPool, valueAtRiskPool, valueAtRiskSync, type PreparedBook } from "../pool/index.js";
import { pathMarkets, resolveVarOptions } from "../pool/risk/var.js";
import { DAY, makePool, T0, USDC, type PoolFixture } from "./support/pool.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

/** A USDC pool with 100k and 30 contracts of a 30-day 1900 put sold, hedged (band 0) or not. */
function pool(hedged: boolean): PoolFixture {
  const f = makePool(pricer);
  f.pool.deposit("lp", 100_000n * USDC);
  f.pool.trade("alice", { type: "put", strike: 1900, expiry: T0 + 30 * DAY, size: 3000n, side: "buy", maxCost: 10n ** 12n });
  if (hedged) {
    const venue = new SimulatedVenue({ spot: () => f.oracle.latest().spot, clock: f.clock, seed: 7 });
    expect(f.pool.hedge(new Hedger({ venue, policy: { band: { kind: "fixed", halfWidth: 0 } } })).status).toBe("filled");
  }
  return f;
}

describe("stress with the hedge", () => {
  it("each scenario's NAV is the unhedged twin's plus the hedge's value at its spot (hand-computed, 1e-9 relative), and a hedged short put loses less on every spot fall", async () => {
    const plain = pool(false);
    const hedged = pool(true);
    const h = hedged.pool.hedgePosition();
    expect(h.size).toBeLessThan(0n); // a short put is hedged by a short
    const unit = 10 ** (6 - 2);
    const hedgeAt = (spot: number) => Number(h.margin - h.entry) + Number(h.size) * unit * spot;
    // What hedging paid (venue fee) left free liquidity: the twins' collateral differs by exactly that.
    const paid = Number(plain.pool.free + plain.pool.locked - (hedged.pool.free + hedged.pool.locked));
    expect(paid).toBeGreaterThan(0);
    const a = await stressTestPool(plain.pool, pricer);
    const b = await stressTestPool(hedged.pool, pricer);
    expect(b.baseNav).toBeCloseTo(a.baseNav - paid + hedgeAt(2000), 3);
    for (let k = 0; k < a.results.length; k++) {
      const x = a.results[k]!;
      const y = b.results[k]!;
      expect(y.spot).toBe(x.spot);
      const expected = x.nav - paid + hedgeAt(x.spot);
      expect(Math.abs(y.nav - expected)).toBeLessThanOrEqual(1e-9 * Math.abs(expected));
      if (x.scenario.spotFactor < 1) {
        expect(x.navChange).toBeLessThan(0);
        expect(y.navChange).toBeGreaterThan(x.navChange);
      }
    }
    // Spot −10 %, vol flat: the options' loss less the hedge's gain, −size·unit·200 USDC of base units.
    const down = (r: typeof a) => r.results.find((s) => s.scenario.name === "spot -10% vol flat")!;
    expect(down(b).navChange - down(a).navChange).toBeCloseTo(-Number(h.size) * unit * 200, 3);
    expect(Math.abs(down(b).navChange)).toBeLessThan(0.3 * Math.abs(down(a).navChange)); // the gamma loss is left
  });

  it("the stressed NAV of the base case is the pool's NAV at the same print (the hedge's margin and P&L included)", async () => {
    const hedged = pool(true);
    const r = await stressTestPool(hedged.pool, pricer);
    expect(Math.abs(r.baseNav - Number(hedged.pool.nav()))).toBeLessThanOrEqual(2);
  });
});

describe("VaR with the hedge", () => {
  it("a hedge alone: VaR is its linear loss at the spot quantile of the same paths (hand-computed)", () => {
    const f = makePool(pricer);
    f.pool.deposit("lp", 100_000n * USDC);
    const empty = prepareBook(f.pool.openBook(), f.pool.settings, f.pool);
    // A long of 20 ETH opened at 2000 with 4,000 USDC margin, in base units (unit = 10^4 per size unit per 1.0 of price).
    const book: PreparedBook = { ...empty, hedgeFixed: 4_000e6 - 2000 * 2000 * 1e4, hedgeScale: 2000 * 1e4 };
    const o = { paths: 5000, seed: 9, horizonDays: 10 };
    const v = valueAtRiskSync(book, pricer, 0.6, o);
    const spots = Float64Array.from(pathMarkets(pricer.core, 2000, resolveVarOptions(o), 0.6, 10 / 365).spot).sort();
    const j = Math.ceil(5000 * 0.99) - 1; // the loss quantile: the (5000 − j)-th lowest spot
    const nav = (s: number) => empty.free + book.hedgeFixed + book.hedgeScale * s;
    const share = (x: number) => ((x + 1) / (empty.supply + empty.virtualShares)) * empty.virtualShares;
    const loss = 1 - share(nav(spots[5000 - 1 - j]!)) / share(nav(2000));
    expect(v.valueAtRisk).toBeCloseTo(loss, 12);
    expect(v.valueAtRisk).toBeGreaterThan(0.01); // 20 ETH on 100k USDC over 10 days at 60 % vol
  });

  it("a delta-hedged short put's 1-day VaR and ES: under a quarter of the unhedged book's with vol fixed (gamma left), under half with vol moving (vega left)", async () => {
    for (const [volOfVol, ratio] of [[0, 0.25], [1.5, 0.5]] as const) {
      const o = { paths: 4000, seed: 3, horizonDays: 1, volOfVol };
      const a = await valueAtRiskPool(pool(false).pool, pricer, o);
      const b = await valueAtRiskPool(pool(true).pool, pricer, o);
      expect(a.valueAtRisk).toBeGreaterThan(0);
      expect(b.valueAtRisk).toBeLessThan(ratio * a.valueAtRisk);
      expect(b.expectedShortfall).toBeLessThan(ratio * a.expectedShortfall);
    }
  });
});
