// The exercise boundary of an American put and its early-exercise premium, by the fixed-point method of
// Andersen, Lake & Offengelt ("High-performance American option pricing", J. Comput. Finance 20(1), 2016), for
// a put with rate r ≥ 0 (r > 0, or r = 0 < −q) and any yield q: the single-boundary regime. Calls reach it through
// put-call symmetry (assembly/american.ts).
//
// Boundary: ALO's fixed-point system FP-A (§4, scaled by e^{−rτ}, e^{−qτ} so no exponential grows),
//   B(τ) = K·N(τ, B)/D(τ, B),   d±(t, z) = (ln z + (r − q)t)/(σ√t) ± σ√t/2,
//   N = e^{−rτ}Φ(d₋(τ, B/K)) + r∫₀^τ e^{−r(τ−u)}Φ(d₋(τ − u, B(τ)/B(u))) du,   D = the same with q and Φ(d₊).
// Not FP-B (the form with the φ terms of smooth pasting): it is closer after two steps where it converges (grid
// RMS 2.6e-5 against 1.9e-4), but it is not a contraction for low vol and r > q (a put with r = 0.05, q = 0.02,
// σ = 0.01, T = 0.5 is 9 % off after two steps; r = 0.1, q = 0, σ = 0.1, T = 2 drifts away after five). FP-A
// contracted on every case tried, slowly for low vol and r ≫ q, which Anderson acceleration (american_anderson.ts)
// makes up for in the accurate scheme. Iteration: from the QD+ boundary (american_qdplus.ts), one Jacobi-Newton step
// (f' from the terms outside the integrals, ALO §5.3), then plain steps, all nodes at once. Each new node value is
// clamped to [1e-12·X, X] (B ≤ X holds for the true boundary; an early step far below it can return f > X, whose
// square-log image would reflect below X).
// In terms of the quadrature points (american_scheme.ts): ln(B(τ_j)/B(u)) = √H(u) − √H_j, since B = X·e^{−√H}: no
// logarithm per point, one exponential each for Φ(d₊) and Φ(d₋) (math.ts normCdfMills).
//
// Premium (ALO eq. (10)) at spot S, time to expiry T, in the same θ variable (u = T·cos²θ, m = T − u = T·sin²θ):
//   e(S) = ∫₀^T [rK e^{−rm}Φ(−d₋(m, S/B(u))) − qS e^{−qm}Φ(−d₊(m, S/B(u)))] du,
// with its S-derivatives in closed form under the integral (the boundary does not depend on S):
//   e_S  = ∫ [−q e^{−qm}Φ(−d₊) + (q e^{−qm}φ(d₊) − (rK/S) e^{−rm}φ(d₋))/(σ√m)] du,
//   e_SS = ∫ [rK e^{−rm}φ(d₋)·d₊/S² − q e^{−qm}φ(d₊)·d₋/S]/(σ²m) du.
// Near the boundary e_SS's integrand peaks at small m, where the price points are graded (american_scheme.ts); within
// a few % of B(T) gamma and theta still lose digits (docs/american.md has the measured errors).
//
// SIMD: the per-point loops run on f64x2 pairs of points (l and p are even); the scalar build runs the same
// operations one point at a time and every reduction over points is a scalar loop in point order, so both builds
// agree bit for bit.
import {
  exp, expvWith, log, logv, normCdfMills, normCdfMillsv, pmax, EXP_TABLE_X2, EXP_TABLE_X2_B, EXP_TABLE_X2_C, INV_SQRT_2PI,
} from "./math";
import { qdPlusBoundary } from "./american_qdplus";
import { andersonReset, andersonStep } from "./american_anderson";
import { MAX_NODES, MAX_POINTS, MAX_PRICE_POINTS, Scheme } from "./american_scheme";

// Work areas, one option at a time (f64; 16-byte aligned).
const W_SM: usize = memory.data(MAX_POINTS * 8, 16); // σ√(τ_j − u)
const W_INV: usize = memory.data(MAX_POINTS * 8, 16); // 1/(σ√(τ_j − u))
const W_DRIFT: usize = memory.data(MAX_POINTS * 8, 16); // (r − q)(τ_j − u)
const W_QWEIGHT: usize = memory.data(MAX_POINTS * 8, 16); // weight of Φ(d₊) in D
const W_RWEIGHT: usize = memory.data(MAX_POINTS * 8, 16); // weight of Φ(d₋) in N
const W_HQ: usize = memory.data(MAX_POINTS * 8, 16); // H interpolated at the points
const W_NUM: usize = memory.data(MAX_POINTS * 8, 16); // contributions to N
const W_DEN: usize = memory.data(MAX_POINTS * 8, 16); // contributions to D
const NODE_H: usize = memory.data(MAX_NODES * 8, 16); // H at the nodes (node 0: 0)
const NODE_ROOT: usize = memory.data(MAX_NODES * 8, 16); // √H at the nodes
const NODE_PREVIOUS: usize = memory.data(MAX_NODES * 8, 16); // H before the step (Anderson)
const NODE_TAU: usize = memory.data(MAX_NODES * 8, 16); // τ_j
const NODE_VOL: usize = memory.data(MAX_NODES * 8, 16); // σ√τ_j
const NODE_DR: usize = memory.data(MAX_NODES * 8, 16); // e^{−rτ_j}
const NODE_DQ: usize = memory.data(MAX_NODES * 8, 16); // e^{−qτ_j}
const NODE_NUM: usize = memory.data(MAX_NODES * 8, 16); // the integral part of N
const NODE_DEN: usize = memory.data(MAX_NODES * 8, 16); // the integral part of D
const PRICE_HQ: usize = memory.data(MAX_PRICE_POINTS * 8, 16);
const PRICE_VALUE: usize = memory.data(MAX_PRICE_POINTS * 8, 16);
const PRICE_DELTA: usize = memory.data(MAX_PRICE_POINTS * 8, 16);
const PRICE_GAMMA: usize = memory.data(MAX_PRICE_POINTS * 8, 16);

/** The smallest B/X a node may take: √H ≤ 27.6, so H and every exponent built from it stay finite. */
const MIN_BOUNDARY_RATIO: f64 = 1e-12;
/** H at MIN_BOUNDARY_RATIO: (ln 1e-12)². */
const H_MAX: f64 = 763.4592306841223;

/** The put of one kernel call, in put form (after symmetry for calls). */
@unmanaged
export class PutProblem {
  S: f64;
  K: f64;
  T: f64;
  vol: f64;
  r: f64;
  q: f64;
  /** The boundary at τ = 0+: K·min(1, r/q) for q > 0, else K. */
  X: f64;
}

/** The premium and its S-derivatives (put form). */
@unmanaged
export class Premium {
  value: f64;
  delta: f64;
  gamma: f64;
}

/** B(τ_j) = X·e^{−√H_j} of node j of the last boundary solved. */
export function boundaryAtNode(problem: PutProblem, j: i32): f64 {
  return problem.X * exp(-load<f64>(NODE_ROOT + (<usize>j << 3)));
}

/**
 * Solves the boundary of `problem` on `scheme`'s nodes (left in NODE_H / NODE_ROOT for premium() and
 * boundaryAtNode()).
 */
export function solveBoundary(problem: PutProblem, scheme: Scheme): void {
  const n = scheme.n;
  const T = problem.T;
  const sqrtT = Math.sqrt(T);
  store<f64>(NODE_H, 0.0);
  store<f64>(NODE_ROOT, 0.0);
  let b = problem.X;
  for (let j = 1; j <= n; j++) {
    const half = load<f64>(scheme.half + (<usize>j << 3));
    const o = <usize>j << 3;
    const tau = T * half * half;
    store<f64>(NODE_TAU + o, tau);
    store<f64>(NODE_VOL + o, problem.vol * sqrtT * half);
    store<f64>(NODE_DR + o, exp(-problem.r * tau));
    store<f64>(NODE_DQ + o, exp(-problem.q * tau));
    b = qdPlusBoundary(tau, problem.K, problem.r, problem.q, problem.vol, problem.X, b);
    const root = -log(b / problem.X);
    store<f64>(NODE_H + o, root * root);
  }
  pointSetup(problem, scheme, sqrtT);
  andersonReset();
  const logXK = log(problem.X / problem.K);
  for (let step = 0; step < scheme.m; step++) {
    for (let j = 1; j <= n; j++) store<f64>(NODE_ROOT + (<usize>j << 3), Math.sqrt(pmax(load<f64>(NODE_H + (<usize>j << 3)), 0.0)));
    interpolate(scheme.matrix, n, n * scheme.l, W_HQ);
    integrands(scheme);
    memory.copy(NODE_PREVIOUS, NODE_H, <usize>(n + 1) << 3);
    updateNodes(problem, scheme, logXK, step == 0);
    // The Jacobi-Newton step is not a step of the map being accelerated.
    if (scheme.anderson > 0 && step > 0) andersonStep(NODE_PREVIOUS, NODE_H, n, scheme.anderson, H_MAX);
  }
  for (let j = 1; j <= n; j++) store<f64>(NODE_ROOT + (<usize>j << 3), Math.sqrt(pmax(load<f64>(NODE_H + (<usize>j << 3)), 0.0)));
}

/** Per-point constants of the fixed-point integrals for this option (σ, T, r, q). */
function pointSetup(problem: PutProblem, scheme: Scheme, sqrtT: f64): void {
  const np = scheme.n * scheme.l;
  const vol = problem.vol;
  const r = problem.r;
  const q = problem.q;
  const carry = r - q;
  const qT = q * problem.T;
  const rT = r * problem.T;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i < np; i += 2) {
      const o = <usize>i << 3;
      const unit = f64x2.mul(v128.load(scheme.sinAt + o), f64x2.splat(sqrtT));
      const sm = f64x2.mul(unit, f64x2.splat(vol));
      const m = f64x2.mul(unit, unit);
      v128.store(W_SM + o, sm);
      v128.store(W_INV + o, f64x2.div(f64x2.splat(1.0), sm));
      v128.store(W_DRIFT + o, f64x2.mul(f64x2.splat(carry), m));
      const eq = expvWith(f64x2.mul(f64x2.splat(-q), m), EXP_TABLE_X2);
      const er = expvWith(f64x2.mul(f64x2.splat(-r), m), EXP_TABLE_X2_B);
      v128.store(W_QWEIGHT + o, f64x2.mul(f64x2.mul(f64x2.splat(qT), v128.load(scheme.weightDu + o)), eq));
      v128.store(W_RWEIGHT + o, f64x2.mul(f64x2.mul(f64x2.splat(rT), v128.load(scheme.weightDu + o)), er));
    }
  }
  for (; i < np; i++) {
    const o = <usize>i << 3;
    const unit = load<f64>(scheme.sinAt + o) * sqrtT;
    const sm = unit * vol;
    const m = unit * unit;
    store<f64>(W_SM + o, sm);
    store<f64>(W_INV + o, 1.0 / sm);
    store<f64>(W_DRIFT + o, carry * m);
    const eq = exp(-q * m);
    const er = exp(-r * m);
    store<f64>(W_QWEIGHT + o, qT * load<f64>(scheme.weightDu + o) * eq);
    store<f64>(W_RWEIGHT + o, rT * load<f64>(scheme.weightDu + o) * er);
  }
}

/** out[i] = Σ_{j=1..n} matrix[j−1][i]·H_j for i < count (columns of `count`), j ascending in both builds. */
function interpolate(matrix: usize, n: i32, count: i32, out: usize): void {
  const stride = <usize>count << 3;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // Two pairs of points at a time, the sums in registers (one store each, not one per column).
    for (; i + 3 < count; i += 4) {
      const o = <usize>i << 3;
      let a = f64x2.splat(0.0);
      let b = f64x2.splat(0.0);
      let column = matrix + o;
      for (let j = 1; j <= n; j++, column += stride) {
        const h = v128.load64_splat(NODE_H + (<usize>j << 3));
        a = f64x2.add(a, f64x2.mul(v128.load(column), h));
        b = f64x2.add(b, f64x2.mul(v128.load(column, 16), h));
      }
      v128.store(out + o, a);
      v128.store(out + o, b, 16);
    }
  }
  for (; i < count; i++) {
    const o = <usize>i << 3;
    let sum = 0.0;
    let column = matrix + o;
    for (let j = 1; j <= n; j++, column += stride) sum += load<f64>(column) * load<f64>(NODE_H + (<usize>j << 3));
    store<f64>(out + o, sum);
  }
}

/** The integrands of N and D at every point of every node (ln(B_j/B(u)) = √H(u) − √H_j). */
function integrands(scheme: Scheme): void {
  const l = scheme.l;
  for (let j = 1; j <= scheme.n; j++) {
    const root = load<f64>(NODE_ROOT + (<usize>j << 3));
    const first = (j - 1) * l;
    let k = 0;
    if (ASC_FEATURE_SIMD) {
      const rootv = f64x2.splat(root);
      for (; k < l; k += 2) {
        const o = <usize>(first + k) << 3;
        const sm = v128.load(W_SM + o);
        const lr = f64x2.sub(f64x2.sqrt(f64x2.pmax(v128.load(W_HQ + o), f64x2.splat(0.0))), rootv);
        const dp = f64x2.add(f64x2.mul(f64x2.add(lr, v128.load(W_DRIFT + o)), v128.load(W_INV + o)), f64x2.mul(sm, f64x2.splat(0.5)));
        const dm = f64x2.sub(dp, sm);
        const e1 = expvWith(f64x2.mul(f64x2.mul(dp, dp), f64x2.splat(-0.5)), EXP_TABLE_X2);
        const e2 = expvWith(f64x2.mul(f64x2.mul(dm, dm), f64x2.splat(-0.5)), EXP_TABLE_X2_C);
        v128.store(W_NUM + o, f64x2.mul(v128.load(W_RWEIGHT + o), normCdfMillsv(dm, e2)));
        v128.store(W_DEN + o, f64x2.mul(v128.load(W_QWEIGHT + o), normCdfMillsv(dp, e1)));
      }
    }
    for (; k < l; k++) {
      const o = <usize>(first + k) << 3;
      const sm = load<f64>(W_SM + o);
      const lr = Math.sqrt(pmax(load<f64>(W_HQ + o), 0.0)) - root;
      const dp = (lr + load<f64>(W_DRIFT + o)) * load<f64>(W_INV + o) + sm * 0.5;
      const dm = dp - sm;
      const e1 = exp((dp * dp) * -0.5);
      const e2 = exp((dm * dm) * -0.5);
      store<f64>(W_NUM + o, load<f64>(W_RWEIGHT + o) * normCdfMills(dm, e2));
      store<f64>(W_DEN + o, load<f64>(W_QWEIGHT + o) * normCdfMills(dp, e1));
    }
  }
}

/** One fixed-point (or, with `newton`, Jacobi-Newton) update of every node from the integrands. */
function updateNodes(problem: PutProblem, scheme: Scheme, logXK: f64, newton: bool): void {
  const l = scheme.l;
  const n = scheme.n;
  for (let j = 1; j <= n; j++) {
    let num = 0.0;
    let den = 0.0;
    for (let k = 0; k < l; k++) {
      const o = <usize>((j - 1) * l + k) << 3;
      num += load<f64>(W_NUM + o);
      den += load<f64>(W_DEN + o);
    }
    store<f64>(NODE_NUM + (<usize>j << 3), num);
    store<f64>(NODE_DEN + (<usize>j << 3), den);
  }
  let j = 1;
  if (ASC_FEATURE_SIMD) {
    for (; j + 1 <= n; j += 2) updateNodePair(problem, j, logXK, newton);
  }
  for (; j <= n; j++) updateNode(problem, j, logXK, newton);
}

/**
 * Node j's new H from its integral sums: f = K·N/D with the terms outside the integrals, or the Jacobi-Newton step
 * b − (f − b)/(f' − 1), f' from those terms only (ALO §5.3: their B-derivatives, with ∂d±/∂B = 1/(B·v)).
 */
function updateNode(problem: PutProblem, j: i32, logXK: f64, newton: bool): void {
  const o = <usize>j << 3;
  const v = load<f64>(NODE_VOL + o);
  const root = load<f64>(NODE_ROOT + o);
  const X = problem.X;
  const K = problem.K;
  const dp = (logXK - root + (problem.r - problem.q) * load<f64>(NODE_TAU + o)) / v + 0.5 * v;
  const dm = dp - v;
  const e1 = exp((dp * dp) * -0.5);
  const e2 = exp((dm * dm) * -0.5);
  const dr = load<f64>(NODE_DR + o);
  const dq = load<f64>(NODE_DQ + o);
  const n = dr * normCdfMills(dm, e2) + load<f64>(NODE_NUM + o);
  const d = dq * normCdfMills(dp, e1) + load<f64>(NODE_DEN + o);
  const b = X * exp(-root);
  let f = (K * n) / d;
  if (newton) {
    const bv = b * v;
    const nb = (dr * e2 * INV_SQRT_2PI) / bv;
    const db = (dq * e1 * INV_SQRT_2PI) / bv;
    const slope = K * (nb / d - (db * n) / (d * d));
    f = b - (f - b) / (slope - 1.0);
  }
  if (f != f) f = b;
  f = min<f64>(max<f64>(f, MIN_BOUNDARY_RATIO * X), X);
  const logRatio = log(f / X);
  store<f64>(NODE_H + o, logRatio * logRatio);
}

/** updateNode on nodes j and j + 1 at once (f64x2; the same operations lane for lane). */
function updateNodePair(problem: PutProblem, j: i32, logXK: f64, newton: bool): void {
  const o = <usize>j << 3;
  const v = v128.load(NODE_VOL + o);
  const root = v128.load(NODE_ROOT + o);
  const X = f64x2.splat(problem.X);
  const K = f64x2.splat(problem.K);
  const carry = f64x2.mul(f64x2.splat(problem.r - problem.q), v128.load(NODE_TAU + o));
  const dp = f64x2.add(f64x2.div(f64x2.add(f64x2.sub(f64x2.splat(logXK), root), carry), v), f64x2.mul(f64x2.splat(0.5), v));
  const dm = f64x2.sub(dp, v);
  const e1 = expvWith(f64x2.mul(f64x2.mul(dp, dp), f64x2.splat(-0.5)), EXP_TABLE_X2);
  const e2 = expvWith(f64x2.mul(f64x2.mul(dm, dm), f64x2.splat(-0.5)), EXP_TABLE_X2_B);
  const dr = v128.load(NODE_DR + o);
  const dq = v128.load(NODE_DQ + o);
  const n = f64x2.add(f64x2.mul(dr, normCdfMillsv(dm, e2)), v128.load(NODE_NUM + o));
  const d = f64x2.add(f64x2.mul(dq, normCdfMillsv(dp, e1)), v128.load(NODE_DEN + o));
  const b = f64x2.mul(X, expvWith(f64x2.neg(root), EXP_TABLE_X2_C));
  let f = f64x2.div(f64x2.mul(K, n), d);
  if (newton) {
    const bv = f64x2.mul(b, v);
    const invRoot = f64x2.splat(INV_SQRT_2PI);
    const nb = f64x2.div(f64x2.mul(f64x2.mul(dr, e2), invRoot), bv);
    const db = f64x2.div(f64x2.mul(f64x2.mul(dq, e1), invRoot), bv);
    const slope = f64x2.mul(K, f64x2.sub(f64x2.div(nb, d), f64x2.div(f64x2.mul(db, n), f64x2.mul(d, d))));
    f = f64x2.sub(b, f64x2.div(f64x2.sub(f, b), f64x2.sub(slope, f64x2.splat(1.0))));
  }
  f = v128.bitselect(b, f, f64x2.ne(f, f));
  f = f64x2.min(f64x2.max(f, f64x2.mul(f64x2.splat(MIN_BOUNDARY_RATIO), X)), X);
  const logRatio = logv(f64x2.div(f, X));
  v128.store(NODE_H + o, f64x2.mul(logRatio, logRatio));
}

/** The early-exercise premium of `problem` at its spot and its S-derivatives, from the last solved boundary. */
export function premium(problem: PutProblem, scheme: Scheme, out: Premium): void {
  const p = scheme.p;
  interpolate(scheme.priceMatrix, scheme.n, p, PRICE_HQ);
  premiumIntegrands(problem, scheme);
  let value = 0.0;
  let delta = 0.0;
  let gamma = 0.0;
  for (let k = 0; k < p; k++) {
    const o = <usize>k << 3;
    value += load<f64>(PRICE_VALUE + o);
    delta += load<f64>(PRICE_DELTA + o);
    gamma += load<f64>(PRICE_GAMMA + o);
  }
  out.value = value;
  out.delta = delta;
  out.gamma = gamma;
}

/** Each price point's contributions to e, e_S and e_SS (see the header); the two forms agree lane for lane. */
function premiumIntegrands(problem: PutProblem, scheme: Scheme): void {
  const S = problem.S;
  const vol = problem.vol;
  const r = problem.r;
  const q = problem.q;
  const T = problem.T;
  const sqrtT = Math.sqrt(T);
  const lnSX = log(S / problem.X);
  const carry = r - q;
  const rK = r * problem.K;
  const qS = q * S;
  const rKOverS = rK / S;
  const rKOverS2 = rKOverS / S;
  const qOverS = q / S;
  const rootOverVol = sqrtT / vol;
  const invVol2 = 1.0 / (vol * vol);
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    for (; k < scheme.p; k += 2) {
      const o = <usize>k << 3;
      const s = v128.load(scheme.priceSin + o);
      const unit = f64x2.mul(f64x2.splat(sqrtT), s);
      const sm = f64x2.mul(f64x2.splat(vol), unit);
      const m = f64x2.mul(unit, unit);
      const lr = f64x2.add(f64x2.splat(lnSX), f64x2.sqrt(f64x2.pmax(v128.load(PRICE_HQ + o), f64x2.splat(0.0))));
      const dp = f64x2.add(f64x2.div(f64x2.add(lr, f64x2.mul(f64x2.splat(carry), m)), sm), f64x2.mul(f64x2.splat(0.5), sm));
      const dm = f64x2.sub(dp, sm);
      const e1 = expvWith(f64x2.mul(f64x2.mul(dp, dp), f64x2.splat(-0.5)), EXP_TABLE_X2);
      const e2 = expvWith(f64x2.mul(f64x2.mul(dm, dm), f64x2.splat(-0.5)), EXP_TABLE_X2_B);
      const er = expvWith(f64x2.mul(f64x2.splat(-r), m), EXP_TABLE_X2_C);
      const eq = expvWith(f64x2.mul(f64x2.splat(-q), m), EXP_TABLE_X2);
      const cdfMinusDp = normCdfMillsv(f64x2.neg(dp), e1);
      const cdfMinusDm = normCdfMillsv(f64x2.neg(dm), e2);
      const du = f64x2.mul(f64x2.splat(T), v128.load(scheme.priceDu + o));
      const dm1 = v128.load(scheme.priceDm + o);
      const rTerm = f64x2.mul(f64x2.splat(rK), er);
      const qTerm = f64x2.mul(f64x2.splat(qS), eq);
      v128.store(PRICE_VALUE + o, f64x2.mul(du, f64x2.sub(f64x2.mul(rTerm, cdfMinusDm), f64x2.mul(qTerm, cdfMinusDp))));
      const qe = f64x2.mul(f64x2.splat(q), eq);
      const slope = f64x2.sub(f64x2.mul(qe, e1), f64x2.mul(f64x2.mul(f64x2.splat(rKOverS), er), e2));
      v128.store(PRICE_DELTA + o, f64x2.sub(f64x2.mul(f64x2.mul(f64x2.splat(rootOverVol), dm1), slope), f64x2.mul(f64x2.mul(qe, cdfMinusDp), du)));
      const curvature = f64x2.sub(
        f64x2.mul(f64x2.mul(f64x2.mul(f64x2.splat(rKOverS2), er), e2), dp),
        f64x2.mul(f64x2.mul(f64x2.mul(f64x2.splat(qOverS), eq), e1), dm),
      );
      v128.store(PRICE_GAMMA + o, f64x2.mul(f64x2.div(f64x2.mul(dm1, f64x2.splat(invVol2)), s), curvature));
    }
  }
  for (; k < scheme.p; k++) {
    const o = <usize>k << 3;
    const s = load<f64>(scheme.priceSin + o);
    const unit = sqrtT * s;
    const sm = vol * unit;
    const m = unit * unit;
    const lr = lnSX + Math.sqrt(pmax(load<f64>(PRICE_HQ + o), 0.0));
    const dp = (lr + carry * m) / sm + 0.5 * sm;
    const dm = dp - sm;
    const e1 = exp((dp * dp) * -0.5);
    const e2 = exp((dm * dm) * -0.5);
    const er = exp(-r * m);
    const eq = exp(-q * m);
    const cdfMinusDp = normCdfMills(-dp, e1);
    const cdfMinusDm = normCdfMills(-dm, e2);
    const du = T * load<f64>(scheme.priceDu + o);
    const dm1 = load<f64>(scheme.priceDm + o);
    const rTerm = rK * er;
    const qTerm = qS * eq;
    store<f64>(PRICE_VALUE + o, du * (rTerm * cdfMinusDm - qTerm * cdfMinusDp));
    const qe = q * eq;
    const slope = qe * e1 - (rKOverS * er) * e2;
    store<f64>(PRICE_DELTA + o, (rootOverVol * dm1) * slope - (qe * cdfMinusDp) * du);
    const curvature = ((rKOverS2 * er) * e2) * dp - ((qOverS * eq) * e1) * dm;
    store<f64>(PRICE_GAMMA + o, ((dm1 * invVol2) / s) * curvature);
  }
}
