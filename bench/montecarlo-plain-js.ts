// Plain-JS Monte Carlo baselines of the "mc" suite: an arithmetic Asian call with one exp per date.
//
// plainJsPhiloxAsianCall is the like-for-like baseline: the WASM core's algorithm in idiomatic JavaScript, with
// the same random numbers. Philox4x32-10 (Salmon et al., SC11 2011; Random123 constants) on counter
// (sample lo, sample hi, group, 0) under key (seed lo, seed hi); Box-Muller pairs (w0, w1) and (w2, w3) of each
// block as r·cos 2πu, r·sin 2πu with r = √(−2 ln u), u = (w + ½)·2⁻³², by Math.log/Math.cos/Math.sin; exact
// log-space GBM with one Math.exp per date. One-date runs take normal s mod 4 of group ⌊s/4⌋ (counter
// (⌊s/4⌋ lo, ⌊s/4⌋ hi, 0, 0)), as the WASM core does. The 32×32→64 products: low word by Math.imul, high
// word as round((a·M − low)·2⁻³²) in doubles (a·M rounds by at most 2¹¹, far below the 2³² step: exact); this
// was the fastest of three exact forms measured on Node 20 (16-bit halves in integers: 13.2, in doubles: 16.1,
// this: 17.6 M path-steps/s), and the hot loop keeps the Philox state in locals.
//
// plainJsXorshiftAsianCall is the naive baseline kept for reference: xorshift32 uniforms (a much cheaper and
// weaker generator than Philox) and Box-Muller.

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9 | 0;
const W1 = 0xbb67ae85 | 0;
const TWO_PI = 2 * Math.PI;
const INV_2_32 = 2.3283064365386963e-10;


const words = new Int32Array(4);

/** Philox4x32-10 of counter (c0, c1, c2, c3) and key (k0, k1); the four output words land in `words` (int32). */
function philox(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): void {
  for (let round = 0; round < 10; round++) {
    const lo0 = Math.imul(c0, M0), lo1 = Math.imul(c2, M1);
    const hi0 = Math.round(((c0 >>> 0) * M0 - (lo0 >>> 0)) * INV_2_32) | 0;
    const hi1 = Math.round(((c2 >>> 0) * M1 - (lo1 >>> 0)) * INV_2_32) | 0;
    c0 = hi1 ^ c1 ^ k0;
    c2 = hi0 ^ c3 ^ k1;
    c1 = lo1;
    c3 = lo0;
    k0 = (k0 + W0) | 0;
    k1 = (k1 + W1) | 0;
  }
  words[0] = c0; words[1] = c1; words[2] = c2; words[3] = c3;
}

/** Philox4x32-10 as four unsigned words (for tests against the Random123 known answers). */
export function plainJsPhilox4x32(counter: readonly number[], key: readonly number[]): number[] {
  philox(counter[0]! | 0, counter[1]! | 0, counter[2]! | 0, counter[3]! | 0, key[0]! | 0, key[1]! | 0);
  return Array.from(words, (w) => w >>> 0);
}

const z4 = new Float64Array(4);

/** The four Box-Muller normals of the Philox block in `words` into z4. */
function boxMuller4(): void {
  const r0 = Math.sqrt(-2 * Math.log(((words[0]! >>> 0) + 0.5) * INV_2_32));
  const a0 = TWO_PI * (((words[1]! >>> 0) + 0.5) * INV_2_32);
  const r1 = Math.sqrt(-2 * Math.log(((words[2]! >>> 0) + 0.5) * INV_2_32));
  const a1 = TWO_PI * (((words[3]! >>> 0) + 0.5) * INV_2_32);
  z4[0] = r0 * Math.cos(a0); z4[1] = r0 * Math.sin(a0);
  z4[2] = r1 * Math.cos(a1); z4[3] = r1 * Math.sin(a1);
}

/**
 * The `count` standard normals of pseudo sample `sample` (count ≥ 2: groups of four per Philox block) or, for
 * count = 1, the one normal of a one-date sample; the same mapping as the WASM core's Philox sampler.
 */
export function plainJsPhiloxNormals(seed: number, sample: number, count: number): Float64Array {
  const k0 = seed % 2 ** 32 | 0, k1 = Math.floor(seed / 2 ** 32) | 0;
  const out = new Float64Array(count);
  if (count === 1) {
    const group = Math.floor(sample / 4);
    philox(group % 2 ** 32 | 0, Math.floor(group / 2 ** 32) | 0, 0, 0, k0, k1);
    boxMuller4();
    out[0] = z4[sample % 4]!;
    return out;
  }
  for (let g = 0; g < count; g += 4) {
    philox(sample % 2 ** 32 | 0, Math.floor(sample / 2 ** 32) | 0, g >> 2, 0, k0, k1);
    boxMuller4();
    for (let k = 0; k < 4 && g + k < count; k++) out[g + k] = z4[k]!;
  }
  return out;
}

/**
 * Discounted arithmetic Asian call on dates t_i = i·T/steps (no dividend): the WASM core's pseudo-random paths
 * in plain JS (`paths` × `steps` path-steps, path s = sample s; paths < 2^32). Returns the price (mean payoff).
 */
export function plainJsPhiloxAsianCall(spot: number, strike: number, expiry: number, vol: number, rate: number, steps: number, paths: number, seed: number): number {
  const k0 = seed % 2 ** 32 | 0, k1 = Math.floor(seed / 2 ** 32) | 0;
  const dt = expiry / steps;
  const driftDt = (rate - 0.5 * vol * vol) * dt;
  const sd = vol * Math.sqrt(dt);
  let sum = 0;
  if (steps === 1) {
    for (let p = 0; p < paths; p++) {
      if ((p & 3) === 0) { philox(p >>> 2, 0, 0, 0, k0, k1); boxMuller4(); }
      sum += Math.max(spot * Math.exp(driftDt + sd * z4[p & 3]!) - strike, 0);
    }
    return Math.exp(-rate * expiry) * sum / paths;
  }
  for (let p = 0; p < paths; p++) {
    let x = 0; // ln(S_i / S_0)
    let avg = 0;
    for (let g = 0; g < steps; g += 4) {
      // Philox4x32-10 of counter (p, 0, g/4, 0), inlined (the same rounds as philox()).
      let c0 = p | 0, c1 = 0, c2 = g >> 2, c3 = 0, key0 = k0, key1 = k1;
      for (let round = 0; round < 10; round++) {
        const lo0 = Math.imul(c0, M0), lo1 = Math.imul(c2, M1);
        const hi0 = Math.round(((c0 >>> 0) * M0 - (lo0 >>> 0)) * INV_2_32) | 0;
        const hi1 = Math.round(((c2 >>> 0) * M1 - (lo1 >>> 0)) * INV_2_32) | 0;
        c0 = hi1 ^ c1 ^ key0; c2 = hi0 ^ c3 ^ key1; c1 = lo1; c3 = lo0;
        key0 = (key0 + W0) | 0; key1 = (key1 + W1) | 0;
      }
      const r0 = Math.sqrt(-2 * Math.log(((c0 >>> 0) + 0.5) * INV_2_32)), a0 = TWO_PI * (((c1 >>> 0) + 0.5) * INV_2_32);
      const r1 = Math.sqrt(-2 * Math.log(((c2 >>> 0) + 0.5) * INV_2_32)), a1 = TWO_PI * (((c3 >>> 0) + 0.5) * INV_2_32);
      const left = steps - g;
      x += driftDt + sd * (r0 * Math.cos(a0)); avg += Math.exp(x);
      if (left > 1) { x += driftDt + sd * (r0 * Math.sin(a0)); avg += Math.exp(x); }
      if (left > 2) { x += driftDt + sd * (r1 * Math.cos(a1)); avg += Math.exp(x); }
      if (left > 3) { x += driftDt + sd * (r1 * Math.sin(a1)); avg += Math.exp(x); }
    }
    sum += Math.max(spot * avg / steps - strike, 0);
  }
  return Math.exp(-rate * expiry) * sum / paths;
}

/** Discounted arithmetic Asian call with xorshift32 uniforms and Box-Muller (the weaker, cheaper generator). */
export function plainJsXorshiftAsianCall(spot: number, strike: number, expiry: number, vol: number, rate: number, steps: number, paths: number, seed: number): number {
  let x = seed | 0 || 1;
  const dt = expiry / steps;
  const drift = (rate - 0.5 * vol * vol) * dt;
  const sd = vol * Math.sqrt(dt);
  let sum = 0;
  let spare = NaN;
  for (let p = 0; p < paths; p++) {
    let s = spot;
    let avg = 0;
    for (let i = 0; i < steps; i++) {
      let z: number;
      if (spare === spare) { z = spare; spare = NaN; } else {
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
        const u1 = ((x >>> 0) + 0.5) / 4294967296;
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
        const u2 = ((x >>> 0) + 0.5) / 4294967296;
        const r = Math.sqrt(-2 * Math.log(u1));
        z = r * Math.cos(2 * Math.PI * u2);
        spare = r * Math.sin(2 * Math.PI * u2);
      }
      s *= Math.exp(drift + sd * z);
      avg += s;
    }
    sum += Math.max(avg / steps - strike, 0);
  }
  return Math.exp(-rate * expiry) * sum / paths;
}
