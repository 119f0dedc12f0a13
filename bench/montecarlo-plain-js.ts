// Plain-JS GBM Monte Carlo baseline for the "mc" suite: an arithmetic Asian call with one exp per date,
// xorshift32 uniforms and Box-Muller normals (the straightforward way to write it in JavaScript).

/** Discounted arithmetic Asian call price (no error estimate), `paths` × `steps` path-steps. */
export function plainJsAsianCall(spot: number, strike: number, expiry: number, vol: number, rate: number, steps: number, paths: number, seed: number): number {
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
