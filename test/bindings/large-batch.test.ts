// A 10-million-option batch prices in fixed-size chunks: WASM memory stays at one chunk's scratch
// (no growth with the batch size) and elements from every chunk equal the same options priced alone.
import { describe, expect, it } from "vitest";
import { CHUNK_OPTIONS, createPricer } from "../../bindings/index.js";

describe("large batches", () => {
  it("10 million options: memory bounded by one chunk, results equal to small batches", async () => {
    const pricer = await createPricer();
    const n = 10_000_000;
    const strike = new Float64Array(n);
    for (let i = 0; i < n; i++) strike[i] = 50 + (i % 1000) * 0.1;
    const batch = { type: "put" as const, spot: 100, strike, expiry: 0.75, vol: 0.3, rate: 0.02, dividend: 0.01 };
    const g = pricer.blackScholes(batch);
    // 14 columns of one chunk, plus the module's static data and its initial 16 pages (1 MiB).
    const chunkBytes = CHUNK_OPTIONS * 14 * 8;
    expect(pricer.core.exports.memory.buffer.byteLength).toBeLessThanOrEqual(chunkBytes + (4 << 20));
    for (const i of [0, 1, CHUNK_OPTIONS - 1, CHUNK_OPTIONS, 5_000_123, n - 1]) {
      const alone = pricer.blackScholes({ ...batch, strike: [strike[i]!] });
      expect(g.price[i]).toBe(alone.price[0]);
      expect(g.theta[i]).toBe(alone.theta[0]);
    }
    const iv = pricer.impliedVol({ ...batch, price: g.price });
    let worst = 0;
    for (let i = 0; i < n; i += 997) worst = Math.max(worst, Math.abs(iv.vol[i]! - 0.3));
    expect(worst).toBeLessThan(1e-12);
  });
});
