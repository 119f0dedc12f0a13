// formatAmount / parseAmount / contracts: exact decimal strings ↔ bigint units. Properties: parse ∘ format is the
// identity for every bigint and decimals; rounding to `digits` agrees with a rational reference (compare 2·|r| with
// the divisor) in each direction; the examples of viem's formatUnits/parseUnits docs hold.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contracts, formatAmount, formatUnits, parseAmount } from "../pool/index.js";

describe("formatAmount", () => {
  it("prints exact decimals as viem's formatUnits does", () => {
    expect(formatAmount(1n, 18)).toBe("0.000000000000000001");
    expect(formatAmount(420_000_000_000n, 9)).toBe("420");
    expect(formatAmount(150n, 2)).toBe("1.5");
    expect(formatAmount(-2_500_000n, 6)).toBe("-2.5");
    expect(formatAmount(0n, 6)).toBe("0");
    expect(formatAmount(123n, 0)).toBe("123");
    expect(formatAmount(2n ** 80n, 18)).toBe("1208925.819614629174706176");
  });

  it("rounds to `digits` in the named direction and pads", () => {
    expect(formatAmount(1n, 18, { digits: 2 })).toBe("0.00");
    expect(formatAmount(1_234_567n, 6, { digits: 2 })).toBe("1.23");
    expect(formatAmount(1_235_000n, 6, { digits: 2 })).toBe("1.24"); // half away from zero
    expect(formatAmount(-1_235_000n, 6, { digits: 2 })).toBe("-1.24");
    expect(formatAmount(1_230_001n, 6, { digits: 2, rounding: "up" })).toBe("1.24");
    expect(formatAmount(-1_230_001n, 6, { digits: 2, rounding: "down" })).toBe("-1.24");
    expect(formatAmount(-1_239_999n, 6, { digits: 2, rounding: "up" })).toBe("-1.23");
    expect(formatAmount(5n, 1, { digits: 3 })).toBe("0.500");
    expect(formatAmount(999_999n, 6, { digits: 0 })).toBe("1");
  });

  it("rejects bad decimals and digits naming them", () => {
    expect(() => formatAmount(1n, -1)).toThrow(/decimals must be an integer/);
    expect(() => formatAmount(1n, 6, { digits: 1.5 })).toThrow(/digits must be an integer/);
  });

  it("parseAmount(formatAmount(x, d), d) === x for any bigint and decimals", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.integer({ min: 0, max: 30 }), (x, d) => {
        expect(parseAmount(formatAmount(x, d), d)).toBe(x);
      }),
      { numRuns: 2000 },
    );
  });

  it("rounded output equals the rational reference, in every direction", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 0, max: 24 }),
        fc.constantFrom("down" as const, "up" as const, "nearest" as const),
        (x, d, digits, rounding) => {
          const printed = parseAmount(formatAmount(x, d, { digits, rounding }), Math.max(d, digits));
          // Reference: x / 10^d rounded to 10^-digits, compared in units of 10^-max(d, digits).
          const scale = 10n ** BigInt(Math.max(d, digits));
          const exact = x * (scale / 10n ** BigInt(d)); // x at max(d, digits) decimals
          const step = scale / 10n ** BigInt(digits);
          const error = printed - exact; // what rounding added
          expect(printed % step).toBe(0n);
          if (rounding === "down") expect(error <= 0n && error > -step).toBe(true);
          if (rounding === "up") expect(error >= 0n && error < step).toBe(true);
          if (rounding === "nearest") expect(2n * (error < 0n ? -error : error) <= step).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("parseAmount and contracts", () => {
  it("reads decimals exactly (viem's parseUnits examples) and refuses what the units cannot hold", () => {
    expect(parseAmount("420", 9)).toBe(420_000_000_000n);
    expect(parseAmount("100000", 6)).toBe(100_000_000_000n);
    expect(parseAmount("-0.5", 6)).toBe(-500_000n);
    expect(parseAmount(".5", 2)).toBe(50n);
    expect(parseAmount(1e21, 0)).toBe(10n ** 21n);
    expect(parseAmount(1e-7, 8)).toBe(10n);
    expect(() => parseAmount(0.1 + 0.2, 2)).toThrow(/at most 2 fraction digits/); // 0.30000000000000004
    expect(() => parseAmount(Number.NaN, 2)).toThrow(RangeError);
    expect(parseAmount("1.50000", 2)).toBe(150n); // trailing zeros are not digits lost
    expect(() => parseAmount("1.505", 2)).toThrow(/"1.505" has more than 2 fraction digits/);
    expect(() => parseAmount("1e3", 2)).toThrow(/not a decimal number/);
    expect(() => parseAmount("", 2)).toThrow(/not a decimal number/);
  });

  it("contracts(1.5) is the size 150n means (sizeDecimals 2), and follows other sizeDecimals", () => {
    expect(contracts(1.5)).toBe(150n);
    expect(contracts("2")).toBe(200n);
    expect(contracts(1.5, 4)).toBe(15_000n);
    expect(() => contracts(0.001)).toThrow(RangeError);
  });

  it("the deprecated formatUnits keeps its rounded output", () => {
    expect(formatUnits(1n, 18)).toBe("0.00");
    expect(formatUnits(1_234_567n, 6)).toBe("1.23");
  });
});
