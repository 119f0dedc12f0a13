// The pool priced from a vol surface (pool/smile.ts): a surface flat in strike reproduces the baseVol path to the
// bit (quotes, events, NAV, stress, VaR) on random books; a skewed surface prices each series at
// baseVol · σ(k, T) / σ(0, T), which the test recomputes from the surface itself.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { eventsToJSON, SECONDS_PER_YEAR, volAt, type OptionPool } from "../pool/index.js";
import { stressTestPool, valueAtRiskPool } from "../pool/risk/index.js";
import { DAY, makePool, T0, USDC } from "./support/pool.js";
import { flatSurface, skewedSurface } from "./support/pool-surface.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

const EXPIRIES = [T0 + 2 * DAY, T0 + 9 * DAY + 3600, T0 + 40 * DAY, T0 + 200 * DAY];

interface Trade {
  strike: number;
  expiry: number;
  size: bigint;
  side: "buy" | "sell";
}

const tradeArb: fc.Arbitrary<Trade> = fc.record({
  strike: fc.integer({ min: 1100, max: 3900 }).map((k) => k - (k % 10)),
  expiry: fc.constantFrom(...EXPIRIES),
  size: fc.bigInt({ min: 1n, max: 3_000n }),
  side: fc.constantFrom("buy" as const, "sell" as const),
});

/** Runs `trades` (refusals included) on `pool`, returning every quote or refusal code in order. */
function runBook(pool: OptionPool, trades: readonly Trade[]): unknown[] {
  pool.deposit("lp", 5_000_000n * USDC);
  return trades.map((t) => {
    const request = { type: "put" as const, strike: t.strike, expiry: t.expiry, size: t.size, side: t.side };
    try {
      return pool.trade("trader", { ...request, maxCost: 10n ** 15n, minProceeds: 0n });
    } catch (e) {
      return (e as { code?: string }).code ?? String(e);
    }
  });
}

describe("a surface flat in strike is the baseVol path, to the bit", () => {
  it("quotes, events, NAV, stress and VaR equal on random books (rate 3%, dividend 1%: the forward moves k)", async () => {
    const params = { rate: 0.03, dividend: 0.01 };
    await fc.assert(
      fc.asyncProperty(fc.array(tradeArb, { minLength: 1, maxLength: 25 }), fc.double({ min: 0.2, max: 1.5, noNaN: true }), async (trades, baseVol) => {
        const plain = makePool(pricer, { params, oracle: { baseVol } });
        const flat = makePool(pricer, { params, oracle: { baseVol, volSurface: flatSurface(pricer) } });
        const quotes = runBook(plain.pool, trades);
        expect(runBook(flat.pool, trades)).toEqual(quotes);
        expect(eventsToJSON(flat.pool.events)).toBe(eventsToJSON(plain.pool.events));
        for (const rounding of ["up", "down"] as const) expect(flat.pool.nav(rounding)).toBe(plain.pool.nav(rounding));
        expect(flat.pool.openBook().batch.vol).toEqual(plain.pool.openBook().batch.vol);
        expect(await stressTestPool(flat.pool, pricer)).toEqual(await stressTestPool(plain.pool, pricer));
        const varOptions = { paths: 500, seed: 7 };
        expect(await valueAtRiskPool(flat.pool, pricer, varOptions)).toEqual(await valueAtRiskPool(plain.pool, pricer, varOptions));
      }),
      { numRuns: 15, examples: [[[{ strike: 1800, expiry: EXPIRIES[1]!, size: 900n, side: "buy" }], 0.6]] },
    );
  });
});

describe("a skewed surface prices each series at baseVol · σ(k, T) / σ(0, T)", () => {
  it("book vols, quote vols and the ATM level match the surface recomputed point by point (relative 1e-15)", () => {
    const surface = skewedSurface(pricer);
    const f = makePool(pricer, { params: { rate: 0.02 }, oracle: { volSurface: surface } });
    runBook(f.pool, [1500, 1800, 2000, 2200, 2600].map((strike) => ({ strike, expiry: EXPIRIES[2]!, size: 500n, side: "buy" as const })));
    const book = f.pool.openBook();
    const years = (EXPIRIES[2]! - T0) / SECONDS_PER_YEAR;
    book.series.forEach((s, i) => {
      const k = Math.log(s.strike / 2000) - 0.02 * years;
      const expected = 0.6 * (surface.vol(k, years) / surface.vol(0, years));
      // Batch and point evaluations run the same kernel: agreement to a few ulps.
      expect(Math.abs(book.batch.vol instanceof Float64Array ? book.batch.vol[i]! - expected : NaN)).toBeLessThan(1e-15 * expected);
    });
    // Puts below the forward price above the ATM level (ρ < 0), calls' wing above it less steeply.
    const q = (strike: number) => f.pool.quote({ type: "put", strike, expiry: EXPIRIES[2]!, size: 100n, side: "buy" }).vol;
    expect(q(1500)).toBeGreaterThan(q(2000) * 1.1);
    expect(volAt(f.oracle.latest(), 2000 * Math.exp(0.02 * years), years, 0.02)).toBeCloseTo(0.6, 14);
  });
});
