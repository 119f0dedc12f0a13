// Public shapes of vol surfaces: parameters, JSON, check reports, chains and fit reports. Units: years for
// expiries, total implied variance w = σ²·T (dimensionless), log-moneyness k = ln(K/F) with F the forward,
// vols as annualised decimals (0.2 = 20%), vol points = 0.01 of vol.
import type { NumericColumn, TypeColumn } from "../types.js";
import type { WasmCore } from "../wasm.js";

/** What a surface runs on: a loaded core, or anything holding one (a Pricer). */
export type SurfaceHost = WasmCore | { readonly core: WasmCore };

/** Raw SVI parameters of one smile (Gatheral): w(k) = a + b·(ρ(k − m) + √((k − m)² + σ²)). */
export interface SviParams {
  /** Level of total variance. */
  a: number;
  /** Wing slope scale, ≥ 0. */
  b: number;
  /** Skew, in (−1, 1). */
  rho: number;
  /** Log-moneyness of the smile's vertex. */
  m: number;
  /** Curvature at the vertex, > 0. */
  sigma: number;
}

/** A raw SVI smile at one expiry. */
export interface SviSlice extends SviParams {
  /** Years to expiry, > 0. */
  years: number;
}

/** SSVI's curvature function φ(θ): power-law η/(θ^γ(1 + θ)^{1−γ}) or Heston-like (1 − (1 − e^{−λθ})/(λθ))/(λθ). */
export type SsviPhi = { form: "power-law"; eta: number; gamma: number } | { form: "heston"; lambda: number };

/** SSVI's ATM total variance θ at one expiry. */
export interface SsviSlice {
  /** Years to expiry, > 0. */
  years: number;
  /** ATM total implied variance σ_ATM²·T, > 0. */
  theta: number;
}

/**
 * A surface's parameters: raw SVI slices (expiries strictly increasing), or SSVI
 * w(k, θ) = θ/2·(1 + ρφ(θ)k + √((φ(θ)k + ρ)² + 1 − ρ²)) with θ given at expiries.
 */
export type VolSurfaceSpec =
  | { model: "svi"; slices: readonly SviSlice[] }
  | { model: "ssvi"; rho: number; phi: SsviPhi; slices: readonly SsviSlice[] };

/** Format tag of VolSurfaceJSON. */
export const VOL_SURFACE_FORMAT = "pool2peer.vol-surface";

/** The JSON form of a surface (`surface.toJSON()`, `VolSurface.fromJSON`): its spec, tagged and versioned. */
export type VolSurfaceJSON = VolSurfaceSpec & { format: typeof VOL_SURFACE_FORMAT; version: 1 };

/** Points of the (k, T) check grid: `kCount` log-moneyness values evenly spaced, `yearsCount` expiries geometrically spaced. */
export interface CheckGrid {
  kMin: number;
  kMax: number;
  kCount: number;
  yearsMin: number;
  yearsMax: number;
  yearsCount: number;
}

/** Which no-arbitrage condition a check tests. */
export type ArbitrageKind = "butterfly" | "calendar";

/** Where a check fails: an expiry (or a range of them) and a strike region. */
export interface ArbitrageFailure {
  kind: ArbitrageKind;
  /** Name of the check that failed (see VolSurfaceCheck.checks). */
  check: string;
  /** Expiry in years where it fails (the later expiry of a failing pair of slices). */
  years: number;
  /** The earlier expiry of a failing pair, or of the span of grid expiries that fail. */
  yearsFrom?: number;
  /** Log-moneyness region where it fails; ±Infinity for a wing condition. */
  kFrom: number;
  kTo: number;
  /** The worst value found (g for butterfly, ∂w/∂T or w_{i+1} − w_i for calendar, a margin for closed forms). */
  worst: number;
  /** Log-moneyness of the worst value. */
  kWorst: number;
  /** One line naming the condition, the expiry and the strike region. */
  message: string;
}

/** One named check and its outcome. */
export interface CheckResult {
  name: string;
  kind: ArbitrageKind;
  ok: boolean;
  /** Smallest margin found (≥ 0 when ok): min g, min ∂w/∂T, min w_{i+1} − w_i, or a closed-form margin. */
  worst: number;
  /** Points evaluated (0 for closed forms). */
  points: number;
}

/** What `surface.check()` reports. */
export interface VolSurfaceCheck {
  /** True when every check passes. */
  ok: boolean;
  butterfly: { ok: boolean; worst: number };
  calendar: { ok: boolean; worst: number };
  /** Every check run, in order. */
  checks: CheckResult[];
  /** The failures, each naming an expiry and a strike region (empty when ok). */
  failures: ArbitrageFailure[];
  /** The (k, T) grid used. */
  grid: CheckGrid;
}

/** Implied vols on a (k, T) grid: vol[i·k.length + j] at (k[j], years[i]). */
export interface VolGrid {
  k: Float64Array;
  years: Float64Array;
  vol: Float64Array;
}

/** Points to evaluate a surface at: log-moneyness and years, each a number (broadcast) or one value per point. */
export interface SurfacePoints {
  k: NumericColumn;
  years: NumericColumn;
}

/** Options to look up vols for: the fields of a Black-Scholes batch a vol depends on. */
export interface SurfaceOptionBatch {
  spot: NumericColumn;
  strike: NumericColumn;
  /** Years to expiry. */
  expiry: NumericColumn;
  rate: NumericColumn;
  dividend?: NumericColumn;
}

/** The shape of a surface at points: total variance, its slope in k, Durrleman's g and ∂w/∂T. */
export interface SurfaceShape {
  totalVariance: Float64Array;
  dwdk: Float64Array;
  /** Durrleman's g(k) = (1 − kw'/(2w))² − (w'²/4)(1/w + 1/4) + w''/2: ≥ 0 where there is no butterfly arbitrage. */
  density: Float64Array;
  /** ∂w/∂T at fixed k, per year: ≥ 0 where there is no calendar arbitrage. */
  dwdT: Float64Array;
}

/**
 * A chain of option quotes to fit: one element per quote. Give implied vols (`vol`) or option prices (`price`
 * with `type`; inverted by Let's Be Rational). The forward of each quote is `forward`, or spot·e^{(rate − dividend)·T}.
 */
export interface VolChain {
  /** Years to expiry; quotes with the same value form one slice. */
  expiry: NumericColumn;
  strike: NumericColumn;
  vol?: NumericColumn;
  price?: NumericColumn;
  type?: TypeColumn;
  forward?: NumericColumn;
  spot?: NumericColumn;
  rate?: NumericColumn;
  dividend?: NumericColumn;
  /** Bid and ask, in the chain's unit (vol with `vol`, price with `price`): for `weights: "bid-ask"`. */
  bid?: NumericColumn;
  ask?: NumericColumn;
}

/** How quotes are weighted in the least squares on vol. */
export type FitWeights = "uniform" | "vega" | "bid-ask";

/** Options of fitVolSurface. */
export interface FitOptions {
  /** The pricer (or loaded core) the surface runs on; its Let's Be Rational inverts prices. */
  pricer: SurfaceHost;
  /** "svi" (raw SVI per expiry) or "ssvi"; default "svi". */
  model?: "svi" | "ssvi";
  /** SSVI's φ: default "power-law". */
  phi?: "power-law" | "heston";
  /**
   * Weights of the squared vol errors: "uniform" (the default), "vega" (Black vega over its at-the-money value,
   * floored at 0.01, so errors count about as price errors do near the money) or "bid-ask" (1/spread², from
   * `bid`/`ask`).
   */
  weights?: FitWeights;
  /** The (k, T) grid the accepted surface must pass (default: the surface's default check grid). */
  grid?: Partial<CheckGrid>;
}

/** Fit quality of one expiry. */
export interface SliceFit {
  years: number;
  quotes: number;
  /** Root mean square of σ_fit − σ_quote over the slice's quotes, in vol points (0.01 vol). */
  rmsVolPoints: number;
  /** Largest |σ_fit − σ_quote|, in vol points. */
  maxVolPoints: number;
}

/** What fitVolSurface reports beside the surface. */
export interface VolSurfaceFitReport {
  model: "svi" | "ssvi";
  weights: FitWeights;
  slices: SliceFit[];
  /** The arbitrage checks of the accepted surface (all pass). */
  check: VolSurfaceCheck;
  /** Quotes dropped because no implied vol exists for their price (status of pricer.impliedVol ≠ ok). */
  dropped: number;
}
