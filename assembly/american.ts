// American calls and puts under Black-Scholes-Merton with a continuous yield: price, delta, gamma, theta and, on
// request, the exercise boundary. Every option is priced as a put (McDonald & Schroder, "A parity result for
// American options", J. Comput. Finance 1(3), 1998: C(S, K, r, q) = P(K, S, q, r), the call's boundary
// K·S/B_P), then by its regime (Andersen & Lake 2021, Table 2, in put form with rate r and yield q):
//   r > 0, or r = 0 > q     one boundary from X = K·min(1, r/q) (q > 0) or K: the fixed-point method
//                           (american_boundary.ts), American = European + premium;
//   q < r < 0               two boundaries: finite differences (american_fd.ts);
//   otherwise (r ≤ 0 ≤ …,   early exercise never pays (r ≤ 0 and q ≥ r): the European value, exactly.
//              r ≤ 0, q ≥ r)
// The European part is the Black-Scholes kernel's own output (assembly/blackscholes.ts, run on the batch first),
// so a European-regime option is bit for bit pricer.blackScholes's (its price raised to intrinsic where rounding
// left it an ulp below), and American ≥ max(European, intrinsic) holds exactly (the premium is clamped at 0). A put-form spot at or below the boundary at T is exercised: intrinsic value, delta ∓1,
// gamma and theta 0. Greeks of the premium: delta and gamma from its integral (exact derivatives of the computed
// premium), theta from the Black-Scholes PDE; for calls they are carried back through the symmetry by the
// premium's degree-1 homogeneity in (S, K): e_S = (e − S'e_S')/K', e_SS = (S'/K')²·e_S'S' (S' = K, K' = S).
// Outputs per option are independent of the rest of the batch, so any split of a batch gives bit-identical results.
import { blackScholesBatch } from "./blackscholes";
import { AMERICAN_ACCURATE, AMERICAN_FAST, Scheme, schemeOf } from "./american_scheme";
import { boundaryAtNode, Premium, premium, PutProblem, solveBoundary } from "./american_boundary";
import { americanPutFd, GridValues } from "./american_fd";

export { AMERICAN_FAST, AMERICAN_ACCURATE, americanBoundaryNodes } from "./american_scheme";

/** Options per Black-Scholes call: the kernel's vega and rho go to scratch columns of this length. */
const BLOCK: i32 = 64;
const VEGA_SCRATCH: usize = memory.data(BLOCK * 8, 16);
const RHO_SCRATCH: usize = memory.data(BLOCK * 8, 16);
const PROBLEM: usize = memory.data(offsetof<PutProblem>(), 8);
const PREMIUM: usize = memory.data(offsetof<Premium>(), 8);
const GRID: usize = memory.data(offsetof<GridValues>(), 8);

const REGIME_EUROPEAN: i32 = 0;
const REGIME_SINGLE: i32 = 1;
const REGIME_DOUBLE: i32 = 2;

/** The regime of a put with rate r and yield q (see the header). */
function regime(r: f64, q: f64): i32 {
  if (r > 0 || (r == 0 && q < 0)) return REGIME_SINGLE;
  if (q < r) return REGIME_DOUBLE;
  return REGIME_EUROPEAN;
}

/**
 * Prices n American options. Inputs as blackScholesBatch (type +1 call / −1 put, spot, strike, expiry in years,
 * vol, rate and dividend continuously compounded); outputs price, delta, gamma, theta (∂V/∂t as calendar time
 * passes, per year). `mode`: AMERICAN_FAST or AMERICAN_ACCURATE. `boundaryLevel`, `boundaryTime`: both 0, or
 * two columns of n·americanBoundaryNodes(mode) f64 that receive, at [i·(n + 1) + j], option i's exercise boundary
 * (spot level) and its time to expiry T_i·((1 + z_j)/2)² in years, z_j = −cos(jπ/n), j = 0..n: level 0 for a put
 * never exercised early, +∞ for such a call, NaN in the double-boundary regime. Returns 0, or 1 when some input is
 * outside the domain (as blackScholesBatch: the outputs are then meaningless and the caller locates the element
 * with firstInvalid).
 */
export function americanBatch(
  n: i32, type: usize, spot: usize, strike: usize, expiry: usize, vol: usize, rate: usize, dividend: usize,
  price: usize, delta: usize, gamma: usize, theta: usize, mode: i32, boundaryLevel: usize, boundaryTime: usize,
): i32 {
  const scheme = schemeOf(mode == AMERICAN_FAST ? AMERICAN_FAST : AMERICAN_ACCURATE);
  for (let start = 0; start < n; start += BLOCK) {
    const count = min<i32>(BLOCK, n - start);
    const o = <usize>start << 3;
    const flagged = blackScholesBatch(
      count, type + o, spot + o, strike + o, expiry + o, vol + o, rate + o, dividend + o,
      price + o, delta + o, gamma + o, VEGA_SCRATCH, theta + o, RHO_SCRATCH,
    );
    if (flagged != 0) return 1;
    for (let i = start; i < start + count; i++) {
      const e = <usize>i << 3;
      const offset = (<usize>(i * (scheme.n + 1))) << 3;
      const row: usize = boundaryLevel == 0 ? 0 : boundaryLevel + offset;
      if (boundaryTime != 0) boundaryTimes(scheme, load<f64>(expiry + e), boundaryTime + offset);
      priceOne(
        load<f64>(type + e), load<f64>(spot + e), load<f64>(strike + e), load<f64>(expiry + e), load<f64>(vol + e),
        load<f64>(rate + e), load<f64>(dividend + e), price + e, delta + e, gamma + e, theta + e, scheme, mode, row,
      );
    }
  }
  return 0;
}

/** Times to expiry of the boundary nodes of an option expiring in T years. */
function boundaryTimes(scheme: Scheme, T: f64, row: usize): void {
  for (let j = 0; j <= scheme.n; j++) {
    const half = load<f64>(scheme.half + (<usize>j << 3));
    store<f64>(row + (<usize>j << 3), T * half * half);
  }
}

/** Adds the early-exercise value of one option to its European outputs (already in place). */
function priceOne(
  w: f64, S: f64, K: f64, T: f64, vol: f64, r: f64, q: f64,
  price: usize, delta: usize, gamma: usize, theta: usize, scheme: Scheme, mode: i32, row: usize,
): void {
  const call = w > 0;
  const problem = changetype<PutProblem>(PROBLEM);
  problem.S = call ? K : S;
  problem.K = call ? S : K;
  problem.T = T;
  problem.vol = vol;
  problem.r = call ? q : r;
  problem.q = call ? r : q;
  const kind = regime(problem.r, problem.q);
  if (kind == REGIME_EUROPEAN) {
    if (row != 0) for (let j = 0; j <= scheme.n; j++) store<f64>(row + (<usize>j << 3), call ? Infinity : 0.0);
    // Exact arithmetic puts the European value at or above intrinsic here; rounding can put it an ulp below.
    store<f64>(price, max<f64>(load<f64>(price), max<f64>(problem.K - problem.S, 0.0)));
    return;
  }
  if (kind == REGIME_DOUBLE) {
    if (row != 0) for (let j = 0; j <= scheme.n; j++) store<f64>(row + (<usize>j << 3), NaN);
    const grid = changetype<GridValues>(GRID);
    americanPutFd(problem.S, problem.K, T, vol, problem.r, problem.q, mode == AMERICAN_ACCURATE, grid);
    // The grid's discretisation error must not take the value below the European one (kept in place) or intrinsic.
    const european = load<f64>(price);
    storeFromPut(call, problem, grid.price, grid.delta, grid.gamma, grid.theta, price, delta, gamma, theta);
    store<f64>(price, max<f64>(max<f64>(load<f64>(price), european), max<f64>(problem.K - problem.S, 0.0)));
    return;
  }
  problem.X = problem.q > 0 ? problem.K * min<f64>(1.0, problem.r / problem.q) : problem.K;
  solveBoundary(problem, scheme);
  if (row != 0) {
    for (let j = 0; j <= scheme.n; j++) {
      const b = boundaryAtNode(problem, j);
      store<f64>(row + (<usize>j << 3), call ? (K * S) / b : b);
    }
  }
  if (problem.S <= boundaryAtNode(problem, scheme.n)) {
    // Intrinsic value, not below the European value where rounding puts that a few ulp above it.
    store<f64>(price, max<f64>(problem.K - problem.S, load<f64>(price)));
    store<f64>(delta, w);
    store<f64>(gamma, 0.0);
    store<f64>(theta, 0.0);
    return;
  }
  const e = changetype<Premium>(PREMIUM);
  premium(problem, scheme, e);
  if (e.value > 0) {
    const thetaPut = problem.r * e.value - (problem.r - problem.q) * problem.S * e.delta
      - 0.5 * vol * vol * problem.S * problem.S * e.gamma;
    const ratio = problem.S / problem.K;
    store<f64>(price, load<f64>(price) + e.value);
    store<f64>(delta, load<f64>(delta) + (call ? (e.value - problem.S * e.delta) / problem.K : e.delta));
    store<f64>(gamma, load<f64>(gamma) + (call ? ratio * ratio * e.gamma : e.gamma));
    store<f64>(theta, load<f64>(theta) + thetaPut);
  }
  // Just above the boundary the computed value can fall an ulp or a quadrature error below intrinsic.
  store<f64>(price, max<f64>(load<f64>(price), problem.K - problem.S));
}

/** Writes a put-form value and greeks as the option's own (carried back through the symmetry for a call). */
function storeFromPut(
  call: bool, problem: PutProblem, value: f64, d: f64, g: f64, t: f64, price: usize, delta: usize, gamma: usize, theta: usize,
): void {
  const ratio = problem.S / problem.K;
  store<f64>(price, value);
  store<f64>(delta, call ? (value - problem.S * d) / problem.K : d);
  store<f64>(gamma, call ? ratio * ratio * g : g);
  store<f64>(theta, t);
}
