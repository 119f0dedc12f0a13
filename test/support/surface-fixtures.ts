// The vol-surface fixtures of test/fixtures/make-surface-golden.py (mpmath, 50 digits), typed for the tests.
import { readFixture } from "./fixtures.js";
import type { VolChain, VolSurfaceSpec } from "../../bindings/index.js";

/** A reference point: the surface's shape at (k, years) from mpmath. */
export interface KernelPoint {
  k: number;
  years: number;
  w: number;
  dwdk: number;
  g: number;
  dwdT: number;
  vol: number;
}

/** A chain generated from a surface: 40 strikes per expiry, exact and noisy vols, exact prices. */
export interface GoldenChain {
  spot: number;
  rate: number;
  dividend: number;
  noiseVol: number;
  expiry: number[];
  strike: number[];
  vol: number[];
  noisyVol: number[];
  price: number[];
  type: ("call" | "put")[];
}

export type SurfaceName = "vogt" | "gj-5.1" | "ssvi-power" | "ssvi-heston" | "svi-slices" | "ssvi-heston-wide" | "crossing";
export type ChainName = "vogt" | "gj-5.1" | "ssvi-power" | "ssvi-heston" | "svi-slices";

export interface SurfaceGolden {
  hestonThetaPhi2Max: number;
  vogtNegativeG: { kFrom: number; kTo: number; kWorst: number; worst: number };
  crossingRegion: { kFrom: number; kTo: number; kWorst: number; worst: number };
  surfaces: Record<SurfaceName, VolSurfaceSpec>;
  kernel: Record<SurfaceName, KernelPoint[]>;
  chains: Record<ChainName, GoldenChain>;
}

export const surfaceGolden = readFixture<SurfaceGolden>("surface-golden.json");

/** The chain as fitVolSurface input: exact vols, noisy vols, or prices. */
export function chainInput(name: ChainName, quotes: "vol" | "noisy" | "price"): VolChain {
  const c = surfaceGolden.chains[name];
  const common = { expiry: c.expiry, strike: c.strike, spot: c.spot, rate: c.rate, dividend: c.dividend };
  if (quotes === "price") return { ...common, price: c.price, type: c.type };
  return { ...common, vol: quotes === "vol" ? c.vol : c.noisyVol };
}
