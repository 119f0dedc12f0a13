// The pool page's parts that run without a browser (demo/pool-market.ts, demo/pool-forms.ts, demo/pool-charts.ts),
// driven with the library from index.ts: exact amount parsing, the expiries on offer, the ticking market settling
// pool and peer series, and the chart helpers. The page itself is tested in Chromium (test/browser-pool.test.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as lib from "../index.js";
import { changeColor, niceTicks } from "../demo/pool-charts.js";
import { FormInputError, formatUnitsText, parsePositive, parseUnits } from "../demo/pool-forms.js";
import { CONTRACT, DAY, HOUR, listedExpiries, PoolMarket, START_SECONDS, USDC, describeError } from "../demo/pool-market.js";

describe("form amounts", () => {
  it("parse decimal text to base units exactly and print them back (100 random amounts per decimals)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 24n }), fc.integer({ min: 0, max: 18 }), (units, decimals) => {
        const text = formatUnitsText(units, decimals, decimals);
        expect(parseUnits(text, decimals, "x")).toBe(units);
      }),
    );
    expect(parseUnits("1,250.5", 6, "a")).toBe(1_250_500_000n);
    expect(parseUnits(".5", 2, "a")).toBe(50n);
  });

  it("refuse what is not a non-negative decimal, or has more decimals than the asset, naming the input", () => {
    for (const [text, problem] of [["-1", "not a non-negative"], ["", "not a non-negative"], ["1e3", "not a non-negative"], ["0.1234567", "at most 6 decimals"], [".", "not"]] as const) {
      let caught: unknown;
      try {
        parseUnits(text, 6, "lp-amount");
      } catch (e) {
        caught = e;
      }
      expect(caught, text).toBeInstanceOf(FormInputError);
      expect((caught as FormInputError).field).toBe("lp-amount");
      expect((caught as Error).message).toMatch(new RegExp(`^INVALID_INPUT \\(lp-amount\\): .*${problem}`));
    }
    expect(() => parsePositive("0", "trade-strike")).toThrow("INVALID_INPUT (trade-strike)");
    expect(parsePositive("1,800", "trade-strike")).toBe(1800);
  });
});

describe("expiries on offer", () => {
  it("are two daily and four more Friday expiries at 08:00 UTC, sorted, at least 2 h ahead (500 random times)", () => {
    fc.assert(
      fc.property(fc.integer({ min: START_SECONDS, max: START_SECONDS + 400 * DAY }), (now) => {
        const e = listedExpiries(now);
        expect(e).toHaveLength(6);
        expect([...e].sort((a, b) => a - b)).toEqual(e);
        for (const x of e) {
          expect(x % DAY).toBe(8 * HOUR);
          expect(x - now).toBeGreaterThanOrEqual(2 * HOUR);
        }
        expect(e[1]! - now).toBeLessThanOrEqual(2 * DAY + 2 * HOUR);
        for (const x of e.slice(2)) expect(new Date(x * 1000).getUTCDay()).toBe(5);
      }),
      { numRuns: 500 },
    );
  });
});

describe("the ticking market", () => {
  it("settles a pool series and a peer series of a daily expiry on the first tick past it", async () => {
    const m = await PoolMarket.create(lib, { seed: 3 });
    m.seedActivity();
    const daily = listedExpiries(m.now)[0]!;
    const series = { type: "put" as const, strike: 2000, expiry: daily };
    const q = m.pool.quote({ ...series, size: 2n * CONTRACT, side: "buy" });
    m.pool.trade("t", { ...series, size: 2n * CONTRACT, side: "buy", maxCost: q.total });
    m.ensureListed(series);
    m.book.submit("writer", { ...series, side: "sell", size: CONTRACT, limitPrice: 10n * USDC, funds: 10n ** 12n });
    m.book.submit("buyer", { ...series, side: "buy", size: CONTRACT, limitPrice: 10n * USDC, funds: 10n ** 12n });
    expect(m.tradedStrikes(daily)).toEqual({ pool: [2000], book: [2000] });
    const settled: number[] = [];
    while (m.now <= daily) {
      const r = m.tick();
      expect(r.problems).toEqual([]);
      settled.push(...r.settled);
    }
    expect(settled).toContain(daily);
    expect(m.tradedStrikes(daily)).toEqual({ pool: [], book: [] });
    expect(m.pool.events.some((e) => e.kind === "settle" && e.expiry === daily)).toBe(true);
  });

  it("draws the same spot path from the same seed and another from another seed", async () => {
    const path = async (seed: number) => {
      const m = await PoolMarket.create(lib, { seed });
      return Array.from({ length: 20 }, () => m.tick().spot);
    };
    expect(await path(5)).toEqual(await path(5));
    expect(await path(5)).not.toEqual(await path(6));
  });

  it("describes a refusal by the pool's own text, which names the field", async () => {
    const m = await PoolMarket.create(lib);
    let caught: unknown;
    try {
      m.pool.deposit("lp", 0n);
    } catch (e) {
      caught = e;
    }
    expect(describeError(caught)).toBe("INVALID_INPUT (assets): must be a bigint > 0");
  });
});

describe("chart helpers", () => {
  it("niceTicks covers the range in steps of 1, 2 or 5 × 10^n", () => {
    fc.assert(
      // Spans of at least 1e-3 of the values (charts of vols and strikes are far wider): a tick step then carries
      // at most ulp(|lo|)/step ≈ 1e-12 of relative error, well inside the 1e-9 below.
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (lo, relative) => {
        const span = relative * Math.max(1, Math.abs(lo));
        const ticks = niceTicks(lo, lo + span);
        expect(ticks.length).toBeGreaterThanOrEqual(2);
        expect(ticks[0]!).toBeGreaterThanOrEqual(lo - span * 1e-9);
        const step = ticks[1]! - ticks[0]!;
        expect(step).toBeLessThanOrEqual(span);
        const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
        expect([1, 2, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-9)).toBe(true);
      }),
    );
  });

  it("colours losses red and gains green, white at zero", () => {
    expect(changeColor(-0.05)).toMatch(/^hsl\(0 /);
    expect(changeColor(0.05)).toMatch(/^hsl\(140 /);
    expect(changeColor(0)).toBe("hsl(140 55% 97%)");
  });
});
