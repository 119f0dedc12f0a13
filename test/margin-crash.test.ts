// Crash-path simulation of margin accounts (pool/margin/crash.ts): reproducible for a seed, bad debt arises only after
// liquidations, and a wider margin grid leaves less bad debt on the same paths.
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { simulateCrashes, span16 } from "../pool/margin/index.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

describe("crash simulation", () => {
  it("gives the same report for a seed, and draws on the fund or socialises only after a liquidation", async () => {
    const a = await simulateCrashes(pricer, { preset: span16(), paths: 40, seed: 5 });
    const b = await simulateCrashes(pricer, { preset: span16(), paths: 40, seed: 5 });
    expect(b).toEqual(a);
    expect(a.liquidations).toBeGreaterThan(0);
    expect(a.insuranceDraws).toBeLessThanOrEqual(a.liquidations);
    expect(a.badDebtPaths).toBeLessThanOrEqual(a.paths);
  });

  it("a SPAN grid with a 50 % scan range leaves less bad debt than one with 5 % on the same paths", async () => {
    const narrow = await simulateCrashes(pricer, { preset: span16(0.05), paths: 40, seed: 9 });
    const wide = await simulateCrashes(pricer, { preset: span16(0.5), paths: 40, seed: 9 });
    expect(wide.initialMargin).toBeGreaterThan(narrow.initialMargin);
    expect(wide.badDebt).toBeLessThan(narrow.badDebt);
  });
});
