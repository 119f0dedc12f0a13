// The benchmark's like-for-like baseline (bench/montecarlo-plain-js.ts) is the WASM core's pseudo-random Monte
// Carlo written in plain JS: these tests hold it to the same random numbers and the same prices, which checks
// both sides (the JS code is written from the papers, not from the WASM source, and uses V8's Math).
import { beforeAll, describe, expect, it } from "vitest";
import type { WasmCore } from "../../bindings/wasm.js";
import { loadTestCore } from "../support/test-core.js";
import { monteCarlo } from "../../bindings/montecarlo.js";
import { plainJsPhilox4x32, plainJsPhiloxAsianCall, plainJsPhiloxNormals } from "../../bench/montecarlo-plain-js.js";

interface RngExports {
  philox4x32Into(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: number): void;
  philoxNormals(seedLo: number, seedHi: number, sample: number, count: number, out: number, work: number): void;
}
let cores: WasmCore[];
beforeAll(async () => { cores = [(await loadTestCore(true)).core, (await loadTestCore(false)).core]; });

// A small deterministic generator for test inputs (not under test).
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

describe("plain-JS Philox baseline", () => {
  it("Philox4x32-10 matches the Random123 known answers and the WASM words for 2000 random counters and keys", () => {
    expect(plainJsPhilox4x32([0, 0, 0, 0], [0, 0])).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    expect(plainJsPhilox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])).toEqual([0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
    expect(plainJsPhilox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])).toEqual([0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]);
    // Random words exercise the double-rounded high product (a·M near 2^64, carries): any off-by-one diverges.
    const core = cores[0]!;
    const x = core.exports as unknown as RngExports;
    const p = core.reserve(16);
    const next = lcg(5);
    for (let i = 0; i < 2000; i++) {
      const c = [next(), next(), next(), next()], k = [next(), next()];
      x.philox4x32Into(c[0]!, c[1]!, c[2]!, c[3]!, k[0]!, k[1]!, p);
      expect(plainJsPhilox4x32(c, k)).toEqual(Array.from(new Uint32Array(core.exports.memory.buffer, p, 4)));
    }
  });

  it("its normals equal the WASM core's (both builds) to 1e-14 absolute for 1024 normals of 3 samples and 2 seeds", () => {
    // Same words, same Box-Muller mapping; the JS side uses V8's Math.log/cos/sin and 2π·u, the WASM side its own
    // log and a table-driven sin/cos of the turn: each is within a few ulp of the exact normal (|z| < 7), so
    // 1e-14 (~16 ulp at |z| ≈ 4) has margin, while a wrong word, pair or sign is off by O(1).
    for (const core of cores) {
      const x = core.exports as unknown as RngExports;
      const count = 1024;
      const base = core.reserve(count * 8 * 3 + 1024);
      for (const seed of [1, 2 ** 40 + 77]) {
        for (const sample of [0, 4097, 2 ** 31 + 5]) {
          x.philoxNormals(seed % 2 ** 32, Math.floor(seed / 2 ** 32), sample, count, base, base + count * 8);
          const wasm = core.f64(base, count);
          const js = plainJsPhiloxNormals(seed, sample, count);
          let worst = 0;
          for (let i = 0; i < count; i++) worst = Math.max(worst, Math.abs(js[i]! - wasm[i]!));
          expect(worst, `seed ${seed} sample ${sample}`).toBeLessThan(1e-14);
          // One-date layout: sample s takes normal s mod 4 of Philox block ⌊s/4⌋.
          for (const s of [sample, sample + 1, sample + 2, sample + 3]) {
            x.philoxNormals(seed % 2 ** 32, Math.floor(seed / 2 ** 32), s, 1, base, base + count * 8);
            expect(Math.abs(plainJsPhiloxNormals(seed, s, 1)[0]! - core.f64(base, 1)[0]!)).toBeLessThan(1e-14);
          }
        }
      }
    }
  });

  it("its arithmetic Asian call price equals the WASM price (same paths) to 1e-12 relative, both builds, 64 / 13 / 1 dates", () => {
    // The same normals drive the same GBM dates, so the prices differ only by rounding: the JS side steps
    // ln S by increments and uses Math.exp, the WASM side sums W then exps (exp_table.ts), ~n ulp per path average
    // (< 1e-14 relative), averaged over paths. A different path, date or payoff moves the price by ~1e-3.
    for (const core of cores) {
      for (const [steps, paths, seed] of [[64, 4096, 1], [13, 6000, 9], [1, 10_003, 3]] as const) {
        const m = { spot: 100, strike: 103, expiry: 0.8, vol: 0.3, rate: 0.03 };
        const wasm = monteCarlo(core, { ...m, payoff: "asian-arithmetic", type: "call", steps, paths, seed }).price;
        const js = plainJsPhiloxAsianCall(m.spot, m.strike, m.expiry, m.vol, m.rate, steps, paths, seed);
        expect(Math.abs(js - wasm) / wasm, `${steps} dates`).toBeLessThan(1e-12);
      }
    }
  });
});
