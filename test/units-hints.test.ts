// The pool's errors name the unit a caller most likely got wrong: an expiry given as years or days (the pricer's
// convention) instead of unix seconds, and an option size given as a number of contracts instead of bigint size units.
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { contracts } from "../pool/index.js";
import { expectRejected, makePool, T0, USDC } from "./support/pool.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

describe("unit hints in pool errors", () => {
  it("an expiry of 0.5 or 1 (years) or 30 (days) is refused with a hint that expiries are unix seconds", () => {
    const { pool } = makePool(pricer);
    pool.deposit("lp", 1_000_000n * USDC);
    const half = expectRejected(pool, () => pool.quote({ type: "put", strike: 1800, expiry: 0.5, size: 100n, side: "buy" }), "INVALID_INPUT", "expiry");
    expect(half.message).toContain("unix seconds");
    for (const expiry of [1, 30]) {
      const e = expectRejected(pool, () => pool.trade("bob", { type: "put", strike: 1800, expiry, size: 100n, side: "buy", maxCost: USDC }), "TOO_CLOSE_TO_EXPIRY", "expiry");
      expect(e.message).toContain(`expiry is unix seconds, e.g. clock.now() + 30 * 86_400, not years or days: got ${expiry}`);
    }
  });

  it("a real expiry that has passed gets no such hint", () => {
    const { pool } = makePool(pricer);
    pool.deposit("lp", 1_000_000n * USDC);
    const e = expectRejected(pool, () => pool.quote({ type: "put", strike: 1800, expiry: T0 - 60, size: 100n, side: "buy" }), "TOO_CLOSE_TO_EXPIRY", "expiry");
    expect(e.message).not.toContain("not years");
  });

  it("a size of 1.5 (contracts, a number) is refused naming size units and contracts()", () => {
    const { pool } = makePool(pricer);
    pool.deposit("lp", 1_000_000n * USDC);
    const request = { type: "put" as const, strike: 1800, expiry: T0 + 7 * 86_400, size: 1.5 as unknown as bigint, side: "buy" as const };
    const e = expectRejected(pool, () => pool.quote(request), "INVALID_INPUT", "size");
    expect(e.message).toContain("contracts(1.5)");
    expect(pool.quote({ ...request, size: contracts(1.5) }).size).toBe(150n);
  });
});
