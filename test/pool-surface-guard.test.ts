// Attacks on the pool through its oracle's vol surface, each through the public API: a surface with butterfly
// arbitrage (Vogt's smile), one with calendar arbitrage (crossing slices), and an arbitrage-free surface moved far
// from the time-averaged one. Each is refused with VOL_SURFACE_REFUSED naming the expiry and the strike region, the
// ledger does not change, and the refused surface does not enter the reference of later checks.
import { beforeAll, describe, expect, it } from "vitest";
import { createPricer, VolSurface, type Pricer } from "../bindings/index.js";
import { resolveParams } from "../pool/index.js";
import { surfaceGuardRows } from "../pool/surface-guard.js";
import { DAY, expectRejected, makePool, T0, USDC, type PoolFixture } from "./support/pool.js";
import { skewedSurface } from "./support/pool-surface.js";
import { surfaceGolden } from "./support/surface-fixtures.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

const EXPIRY = T0 + 30 * DAY;
const WING_PUT = { type: "put" as const, strike: 1300, expiry: EXPIRY, size: 1_000n, side: "buy" as const };

/** A funded pool whose oracle printed `surface` every minute for the last hour (the TWAP window is 1800 s). */
function fundedPool(surface: VolSurface): PoolFixture {
  const f = makePool(pricer, { oracle: { volSurface: surface, timestamp: T0 - 3600 } });
  for (let t = T0 - 3540; t <= T0; t += 60) f.oracle.push({ timestamp: t });
  f.pool.deposit("lp", 2_000_000n * USDC);
  return f;
}

/** Pushes `surface` now and expects the wing-put buy and its quote refused, naming the surface. */
function expectSurfaceRefused(f: PoolFixture, surface: VolSurface): string {
  f.oracle.push({ timestamp: f.clock.now(), volSurface: surface });
  expectRejected(f.pool, () => f.pool.quote(WING_PUT), "VOL_SURFACE_REFUSED", "oracle.volSurface");
  return expectRejected(f.pool, () => f.pool.trade("attacker", { ...WING_PUT, maxCost: 10n ** 15n }), "VOL_SURFACE_REFUSED", "oracle.volSurface").message;
}

describe("surface updates are guarded like spot and base vol", () => {
  it("butterfly arbitrage (Vogt's smile, GJ Example 3.1): refused, naming the expiry and the strike region where g < 0", () => {
    const f = fundedPool(skewedSurface(pricer));
    const honest = f.pool.quote(WING_PUT);
    const message = expectSurfaceRefused(f, VolSurface.create(surfaceGolden.surfaces.vogt, pricer));
    expect(message).toMatch(/butterfly arbitrage/);
    // Where: the mpmath region of g < 0 is k ∈ [0.642, 1.257] at T = 1.
    expect(message).toMatch(/1 y/);
    const region = /k in \[([-\d.e]+), ([-\d.e]+)\]/.exec(message);
    expect(region, message).not.toBeNull();
    expect(Number(region![1])).toBeCloseTo(surfaceGolden.vogtNegativeG.kFrom, 1);
    expect(Number(region![2])).toBeCloseTo(surfaceGolden.vogtNegativeG.kTo, 1);
    // The refused update changed nothing: the honest surface back, the same quote to the bit.
    f.oracle.push({ timestamp: f.clock.now(), volSurface: skewedSurface(pricer) });
    expect(f.pool.quote(WING_PUT)).toEqual(honest);
  });

  it("calendar arbitrage (crossing slices): refused, naming the later expiry and the strike region where w falls", () => {
    const f = fundedPool(VolSurface.create(surfaceGolden.surfaces.crossing, pricer).spec.slices.length === 2 ? skewedSurface(pricer) : skewedSurface(pricer));
    const message = expectSurfaceRefused(f, VolSurface.create(surfaceGolden.surfaces.crossing, pricer));
    expect(message).toMatch(/calendar arbitrage/);
    expect(message).toMatch(/1 y|0\.5/);
    const region = /k in \[([-\d.e]+), ([-\d.e]+)\]/.exec(message);
    expect(region, message).not.toBeNull();
    // The crossing region from mpmath, k ∈ [−0.050, 0.269], overlaps the named one.
    expect(Number(region![1])).toBeLessThan(surfaceGolden.crossingRegion.kTo);
    expect(Number(region![2])).toBeGreaterThan(surfaceGolden.crossingRegion.kFrom);
  });

  it("an arbitrage-free surface far from the time average (wing puts cheapened): refused naming expiry and strikes; accepted once it is the average", () => {
    const steep = { rho: -0.7, eta: 1.1, gamma: 0.4, atmVol: 0.6, growth: 1.05 };
    const f = fundedPool(skewedSurface(pricer, steep));
    const honest = f.pool.quote(WING_PUT).vol;
    // The attacker's surface: the put wing flattened (ρ −0.7 → +0.3) so that deep puts quote near the ATM vol.
    const cheapWings = skewedSurface(pricer, { ...steep, rho: 0.3 });
    expect(cheapWings.check().ok).toBe(true);
    const message = expectSurfaceRefused(f, cheapWings);
    expect(message).toMatch(/too far from its 1800 s time average/);
    // The first expiry row beyond the bound (the shortest: SSVI's short smiles move most with ρ), with its strikes.
    expect(message).toMatch(/moves [\d.]+ vol points (up|down) from the reference at expiry [\d.e-]+ y, k in \[[-\d.e]+, [-\d.e]+\] \(K\/F [\d.]+–[\d.]+\)/);
    // Held for a whole window, the move is the average: accepted, like a spot level that persists.
    f.clock.advance(1900);
    f.oracle.push({ timestamp: f.clock.now() });
    expect(f.pool.quote(WING_PUT).vol).toBeLessThan(honest - 0.05);
  });

  it("a surface refused for arbitrage never enters the reference: after it, an honest small move is accepted", () => {
    const base = { rho: -0.7, eta: 1.1, gamma: 0.4, atmVol: 0.6, growth: 1.05 };
    const f = fundedPool(skewedSurface(pricer, base));
    // An arbitrage surface at a far lower level, held for most of the window, would drag the average down ...
    f.oracle.push({ timestamp: f.clock.now(), volSurface: VolSurface.create(surfaceGolden.surfaces.vogt, pricer) });
    f.clock.advance(1500);
    f.oracle.push({ timestamp: f.clock.now(), volSurface: skewedSurface(pricer, { ...base, atmVol: 0.62 }) });
    // ... but it is not averaged: the honest surface, 2 vol points from the previous honest one, passes.
    expect(f.pool.trade("t", { ...WING_PUT, maxCost: 10n ** 15n }).size).toBe(1_000n);
  });

  it("the move is measured over the pool's expiries, at each within ±4 ATM standard deviations and the moneyness bounds", () => {
    const rows = surfaceGuardRows(resolveParams(), 0.6);
    expect(rows[0]!.years[0]).toBeCloseTo(3600 / (365 * DAY), 15);
    expect(rows[rows.length - 1]!.years[0]).toBeCloseTo(1, 12);
    const shortest = rows[0]!.k;
    expect(shortest[shortest.length - 1]).toBeCloseTo(4 * 0.6 * Math.sqrt(3600 / (365 * DAY)), 15);
    const longest = rows[rows.length - 1]!.k;
    expect([longest[0], longest[longest.length - 1]]).toEqual([Math.log(0.5), Math.log(2)]);
  });

  it("refusals are observable (counts and the latest, naming reason, expiry and region) without being state", () => {
    const steep = { rho: -0.7, eta: 1.1, gamma: 0.4, atmVol: 0.6, growth: 1.05 };
    const f = fundedPool(skewedSurface(pricer, steep));
    expect(f.pool.surfaceRefusals()).toEqual({ arbitrage: 0, move: 0, last: undefined });
    const events = f.pool.events.length;
    // Vogt's smile: a quote and a trade refused, two arbitrage refusals (the verdict is cached, the count is not).
    const message = expectSurfaceRefused(f, VolSurface.create(surfaceGolden.surfaces.vogt, pricer));
    const afterArbitrage = f.pool.surfaceRefusals();
    expect([afterArbitrage.arbitrage, afterArbitrage.move]).toEqual([2, 0]);
    expect(afterArbitrage.last).toMatchObject({ at: f.clock.now(), reason: "butterfly", years: 1, message });
    expect(afterArbitrage.last!.kFrom).toBeCloseTo(surfaceGolden.vogtNegativeG.kFrom, 1);
    expect(afterArbitrage.last!.kTo).toBeCloseTo(surfaceGolden.vogtNegativeG.kTo, 1);
    // A move refusal next; the copy handed out earlier does not change.
    f.clock.advance(60);
    expectSurfaceRefused(f, skewedSurface(pricer, { ...steep, rho: 0.3 }));
    const afterMove = f.pool.surfaceRefusals();
    expect([afterMove.arbitrage, afterMove.move, afterMove.last!.reason]).toEqual([2, 2, "move"]);
    expect(afterMove.last!.years).toBeGreaterThan(0);
    expect(afterMove.last!.kFrom).toBeLessThanOrEqual(afterMove.last!.kTo);
    expect(afterArbitrage.arbitrage + afterArbitrage.move).toBe(2);
    // No event was recorded for any of them, and the state carries none of them.
    expect(f.pool.events.length).toBe(events);
    expect(JSON.stringify(f.pool.snapshot())).not.toMatch(/refus/i);
  });

  it("maxSurfaceMove must be > 0", () => {
    expect(() => resolveParams({ maxSurfaceMove: 0 })).toThrow(/maxSurfaceMove/);
  });
});
