// Reproducible random batches of realistic European options for the benchmark suites.
// Strikes are drawn in standardised moneyness around the forward, ln(K/F) = z·σ√T with z ~ N(0,1)
// clamped to ±3, as on a quoted option chain; a seeded generator makes every run price the same batch.
import type { OptionBatch } from "../bindings/types.js";
import type { PlainOptionColumns } from "./plain-js.js";

/** The same batch in the two shapes the pricers take: plain-JS columns and the public OptionBatch. */
export interface RandomOptions {
  n: number;
  columns: PlainOptionColumns;
  batch: OptionBatch & { type: Int8Array };
}

/** Mulberry32: a tiny seeded 32-bit generator (quality is ample for drawing benchmark inputs). */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * n options, half calls and half puts (random order): spot 20..200, expiry 1 week..2 years, vol 10%..80%,
 * rate 0..6%, dividend yield 0..3%, strike at standardised moneyness z ∈ [−3, 3] around the forward.
 */
export function randomOptions(n: number, seed = 20240601): RandomOptions {
  const u = seededUniform(seed);
  const columns: PlainOptionColumns = {
    type: new Float64Array(n),
    spot: new Float64Array(n),
    strike: new Float64Array(n),
    expiry: new Float64Array(n),
    vol: new Float64Array(n),
    rate: new Float64Array(n),
    dividend: new Float64Array(n),
  };
  const type = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const w = u() < 0.5 ? 1 : -1;
    const spot = 20 + 180 * u();
    const expiry = 7 / 365 + (2 - 7 / 365) * u();
    const vol = 0.1 + 0.7 * u();
    const rate = 0.06 * u();
    const dividend = 0.03 * u();
    // Box-Muller normal, clamped to ±3 standard deviations.
    const z = Math.max(-3, Math.min(3, Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u())));
    const forward = spot * Math.exp((rate - dividend) * expiry);
    type[i] = w;
    columns.type[i] = w;
    columns.spot[i] = spot;
    columns.strike[i] = forward * Math.exp(z * vol * Math.sqrt(expiry));
    columns.expiry[i] = expiry;
    columns.vol[i] = vol;
    columns.rate[i] = rate;
    columns.dividend[i] = dividend;
  }
  const batch = {
    type,
    spot: columns.spot,
    strike: columns.strike,
    expiry: columns.expiry,
    vol: columns.vol,
    rate: columns.rate,
    dividend: columns.dividend,
  };
  return { n, columns, batch };
}
