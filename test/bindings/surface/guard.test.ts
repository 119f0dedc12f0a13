// guardVolSurface and timeWeightedVolGrid: refusals name the reason, the expiry and the strike region; a move
// is measured against a surface or a time-weighted grid; the time weights follow the pool's TWAP rule.
import { beforeAll, describe, expect, it } from "vitest";
import {
  createPricer, guardVolSurface, PricingInputError, timeWeightedVolGrid, VolSurface, VolSurfaceError, type Pricer, type SviSlice,
  type VolSurfaceSpec,
} from "../../../bindings/index.js";
import { surfaceGolden } from "../../support/surface-fixtures.js";

let pricer: Pricer;
beforeAll(async () => {
  pricer = await createPricer();
});

const surface = (spec: VolSurfaceSpec) => VolSurface.create(spec, pricer);
const base = surfaceGolden.surfaces["svi-slices"] as Extract<VolSurfaceSpec, { model: "svi" }>;

function refusal(f: () => unknown): VolSurfaceError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(VolSurfaceError);
    return e as VolSurfaceError;
  }
  throw new Error("expected a refusal");
}

describe("guardVolSurface", () => {
  it("accepts a clean surface and returns its check report", () => {
    expect(guardVolSurface(surface(base)).ok).toBe(true);
    expect(guardVolSurface(surface(base), { reference: surface(base), maxVolMove: 1e-9 }).ok).toBe(true);
  });

  it("refuses butterfly arbitrage (Vogt) naming the expiry and the strike region", () => {
    const e = refusal(() => guardVolSurface(surface(surfaceGolden.surfaces.vogt)));
    expect(e.reason).toBe("butterfly");
    expect(e.message).toMatch(/^vol surface refused: butterfly arbitrage/);
  });

  it("refuses calendar arbitrage naming the later expiry and the crossing region", () => {
    const e = refusal(() => guardVolSurface(surface(surfaceGolden.surfaces.crossing)));
    expect(e.reason).toBe("calendar");
    expect(e.years).toBe(1);
  });

  it("refuses a move beyond the bound from the reference, at the expiry and strikes that moved", () => {
    // Slice 6 (T = 1.5) raised by 0.004 in total variance: ≈ +0.8 vol point ATM at T = 1.5; the next slice is
    // higher still, so the surface stays calendar-free.
    const slices = base.slices.map((s, i) => (i === 6 ? { ...s, a: s.a + 0.004 } : s));
    const moved = surface({ model: "svi", slices });
    expect(moved.check().ok).toBe(true);
    const grid = { yearsMin: 1.5, yearsMax: 1.5, yearsCount: 1 };
    const e = refusal(() => guardVolSurface(moved, { reference: surface(base), maxVolMove: 0.005, grid }));
    expect(e.reason).toBe("move");
    expect(e.years).toBe(1.5);
    expect(e.kFrom!).toBeLessThan(0);
    expect(e.kTo!).toBeGreaterThan(0);
    expect(e.message).toMatch(/moves \d\.\d+ vol points up from the reference at expiry 1\.5 y/);
    expect(guardVolSurface(moved, { reference: surface(base), maxVolMove: 0.02, grid }).ok).toBe(true);
  });

  it("needs a positive finite maxVolMove with a reference", () => {
    expect(() => guardVolSurface(surface(base), { reference: surface(base) })).toThrow(PricingInputError);
    expect(() => guardVolSurface(surface(base), { reference: surface(base), maxVolMove: -1 })).toThrow(/maxVolMove/);
  });
});

describe("timeWeightedVolGrid", () => {
  const lower = (s: SviSlice) => ({ ...s, a: s.a * 0.9, b: s.b * 0.9 });
  it("weights each surface by the time it held within the window, averaging total variance", () => {
    const high = surface(base);
    const low = surface({ model: "svi", slices: base.slices.map(lower) });
    const axes = { k: [-0.5, 0, 0.3], years: [0.1, 1, 2.5] };
    // high holds 1000 s of the window, low the last 3000 s.
    const grid = timeWeightedVolGrid([{ surface: high, timestamp: 0 }, { surface: low, timestamp: 2000 }], 4000, 5000, axes);
    const [a, b] = [high.grid(axes.k, axes.years).vol, low.grid(axes.k, axes.years).vol];
    grid.vol.forEach((v, p) => expect(v * v).toBeCloseTo(0.25 * a[p]! ** 2 + 0.75 * b[p]! ** 2, 15));
    const before = timeWeightedVolGrid([{ surface: high, timestamp: 9000 }], 100, 5000, axes);
    expect(before.vol).toEqual(a);
    expect(() => timeWeightedVolGrid([{ surface: high, timestamp: 2 }, { surface: low, timestamp: 1 }], 10, 5, axes)).toThrow(/observations\.timestamp\[1\]/);
  });

  it("serves as the guard's reference: a sudden jump away from the average is refused", () => {
    const calm = surface(base);
    const axes = calm.gridAxes({ kCount: 21, yearsCount: 21 });
    const reference = timeWeightedVolGrid([{ surface: calm, timestamp: 0 }], 3600, 3600, axes);
    const jumped = surface({ model: "svi", slices: base.slices.map((s) => ({ ...s, a: s.a * 1.5 })) });
    expect(refusal(() => guardVolSurface(jumped, { reference, maxVolMove: 0.01 })).reason).toBe("move");
  });
});
