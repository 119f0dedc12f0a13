// Net greeks with the oracle's vol surface: the greeks monitor records which surface its figures are of on every
// path (full refresh and the per-trade path the beforeQuote hook takes), so a pool priced from a surface with
// attachRisk quotes, and a new surface object (a new smile) still forces a refresh.
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, VolSurface, type Pricer } from "../bindings/index.js";
import { attachRisk } from "../pool/index.js";
import { makePool, USDC, DAY, T0 } from "./support/pool.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

const ssvi = (p: Pricer, rho: number) =>
  VolSurface.create({ model: "ssvi", rho, phi: { form: "power-law", eta: 1.2, gamma: 0.4 }, slices: [7 / 365, 30 / 365, 1].map((years) => ({ years, theta: 0.36 * years })) }, p);

describe("attachRisk on a pool priced from a vol surface", () => {
  it("quotes and trades repeatedly (the per-trade greeks path keeps the surface it priced with)", () => {
    const f = makePool(pricer, { oracle: { volSurface: ssvi(pricer, -0.6) } });
    const risk = attachRisk(f.pool, { pricer, preTrade: false });
    f.pool.deposit("lp", 1_000_000n * USDC);
    const expiry = T0 + 14 * DAY;
    for (const strike of [1800, 1900, 1800]) {
      const q = f.pool.quote({ type: "put", strike, expiry, size: 200n, side: "buy" });
      f.pool.trade("t", { type: "put", strike, expiry, size: 200n, side: "buy", maxCost: q.total });
    }
    f.pool.quote({ type: "put", strike: 1900, expiry, size: 100n, side: "buy" }); // refreshes the figures for the last trade
    expect(risk.greeks.assertUsableForQuote().seq).toBe(f.pool.seq);
    expect(risk.greeks.current!.total.vega).toBeLessThan(0);
  });

  it("refreshes the figures when the oracle prints a new surface object", () => {
    const f = makePool(pricer, { oracle: { volSurface: ssvi(pricer, -0.6) } });
    const risk = attachRisk(f.pool, { pricer, preTrade: false });
    f.pool.deposit("lp", 1_000_000n * USDC);
    const expiry = T0 + 14 * DAY;
    f.pool.trade("t", { type: "put", strike: 1800, expiry, size: 200n, side: "buy", maxCost: 10n ** 12n });
    f.pool.quote({ type: "put", strike: 1800, expiry, size: 100n, side: "buy" });
    const before = risk.greeks.current!.total.vega;
    expect(risk.greeks.refreshReason()).toBeUndefined();
    f.clock.set(T0 + 60);
    f.oracle.push({ timestamp: T0 + 60, volSurface: ssvi(pricer, -0.55) });
    expect(risk.greeks.refreshReason()).toBe("vol");
    f.pool.quote({ type: "put", strike: 1800, expiry, size: 100n, side: "buy" });
    expect(risk.greeks.current!.total.vega).not.toBe(before);
  });
});
