// American put by finite differences, for the double-boundary regime q < r < 0 (Andersen & Lake, "Fast American
// option pricing: the double-boundary case", 2021, Table 2), where the exercise region is an interval
// [B_low(τ), B_high(τ)] that the single-boundary fixed-point method of american_boundary.ts does not represent.
//
// x = ln(S'/S) on a uniform grid of nx intervals with the spot on the middle node, half-width
// 6σ√T + |r − q|T + |ln K/S| (both boundaries lie between K·r/q and K); the PDE V_τ = ½σ²V_xx + (r − q − ½σ²)V_x − rV
// with central differences; the payoff averaged over each cell (so the kink at K costs no order of convergence);
// Rannacher's start (four implicit Euler quarter steps) then Crank-Nicolson; at every step the linear
// complementarity problem min(M·V − b, V − payoff) = 0 solved exactly by policy iteration (Howard's algorithm: the
// exercise set is updated until it repeats; M is an M-matrix, so it ends in a few passes), which handles one
// exercise interval as well as two; Dirichlet ends at max(payoff, European). Greeks at the spot node: delta and gamma
// from the central differences, theta from the PDE (0 in the exercise region). Both modes take the Richardson
// extrapolation (4·V(2N) − V(N))/3 of an N × N grid and its doubling (N = 200 fast, 400 accurate).
// Convergence is second order in h and Δt (the grid is square, nx = nt); errors are measured in docs/american.md.
import { exp, log, normCdf } from "./math";

/** Largest grid: nodes per time level. */
const MAX_GRID: i32 = 801;
const V: usize = memory.data(MAX_GRID * 8, 16);
const NEXT: usize = memory.data(MAX_GRID * 8, 16);
const PAYOFF: usize = memory.data(MAX_GRID * 8, 16);
const RHS: usize = memory.data(MAX_GRID * 8, 16);
const C: usize = memory.data(MAX_GRID * 8, 16);
const D: usize = memory.data(MAX_GRID * 8, 16);
const ACTIVE: usize = memory.data(MAX_GRID, 16);

/** A node switches between the two equations only when the other is lower by more than this × K (ties would cycle). */
const TIE: f64 = 1e-13;
/** Policy iteration passes per step before giving up on a step (never reached on the test cases: ≤ 4). */
const MAX_PASSES: i32 = 64;

/** The coarser grid of each accuracy mode (each also solves the doubled grid). */
export const FD_FAST_GRID: i32 = 200;
export const FD_ACCURATE_GRID: i32 = 400;

/** Price, delta, gamma, theta of the American put (put form) from finite differences. */
@unmanaged
export class GridValues {
  price: f64;
  delta: f64;
  gamma: f64;
  theta: f64;
}

function europeanPut(S: f64, K: f64, tau: f64, vol: f64, r: f64, q: f64): f64 {
  const s = vol * Math.sqrt(tau);
  const d1 = (log(S / K) + (r - q) * tau) / s + 0.5 * s;
  return K * exp(-r * tau) * normCdf(s - d1) - S * exp(-q * tau) * normCdf(-d1);
}

/** Average of max(K − S·e^y, 0) over y in [lo, hi]. */
function cellPayoff(S: f64, K: f64, lo: f64, hi: f64): f64 {
  const top = min<f64>(hi, log(K / S));
  if (top <= lo) return 0.0;
  return (K * (top - lo) - S * (exp(top) - exp(lo))) / (hi - lo);
}

/** Solves the nx × nx grid; leaves the time-T values in V; returns the grid step h. */
function solveGrid(S: f64, K: f64, T: f64, vol: f64, r: f64, q: f64, nx: i32): f64 {
  const half = 6.0 * vol * Math.sqrt(T) + Math.abs(r - q) * T + Math.abs(log(K / S));
  const h = (2.0 * half) / <f64>nx;
  const mid = nx >> 1;
  for (let i = 0; i <= nx; i++) {
    const x = <f64>(i - mid) * h;
    store<f64>(PAYOFF + (<usize>i << 3), max<f64>(K - S * exp(x), 0.0));
    store<f64>(V + (<usize>i << 3), cellPayoff(S, K, x - 0.5 * h, x + 0.5 * h));
    store<u8>(ACTIVE + <usize>i, 0);
  }
  const a = (0.5 * vol * vol) / (h * h);
  const b = (r - q - 0.5 * vol * vol) / (2.0 * h);
  const lo = -(a - b);
  const di = 2.0 * a + r;
  const up = -(a + b);
  const dt = T / <f64>nx;
  let tau = 0.0;
  const xLow = <f64>(0 - mid) * h;
  const xHigh = <f64>(nx - mid) * h;
  for (let step = 0; step < nx + 3; step++) {
    // Steps 0-3: implicit Euler quarter steps (Rannacher); then Crank-Nicolson full steps.
    const k = step < 4 ? 0.25 * dt : dt;
    const theta = step < 4 ? 1.0 : 0.5;
    tau += k;
    const endLow = max<f64>(load<f64>(PAYOFF), europeanPut(S * exp(xLow), K, tau, vol, r, q));
    const endHigh = max<f64>(load<f64>(PAYOFF + (<usize>nx << 3)), europeanPut(S * exp(xHigh), K, tau, vol, r, q));
    const explicit = (1.0 - theta) * k;
    for (let i = 1; i < nx; i++) {
      const o = <usize>i << 3;
      const av = lo * load<f64>(V + o - 8) + di * load<f64>(V + o) + up * load<f64>(V + o + 8);
      store<f64>(RHS + o, load<f64>(V + o) - explicit * av);
    }
    timeStep(nx, theta * k, lo, di, up, endLow, endHigh, K);
    memory.copy(V, NEXT, <usize>(nx + 1) << 3);
  }
  return h;
}

/** One implicit step: the exercise set iterated until it repeats (policy iteration), result in NEXT. */
function timeStep(nx: i32, f: f64, lo: f64, di: f64, up: f64, endLow: f64, endHigh: f64, K: f64): void {
  const tie = TIE * K;
  store<f64>(NEXT, endLow);
  store<f64>(NEXT + (<usize>nx << 3), endHigh);
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    thomas(nx, f * lo, 1.0 + f * di, f * up, endLow, endHigh);
    let changed = false;
    for (let i = 1; i < nx; i++) {
      const o = <usize>i << 3;
      const value = load<f64>(NEXT + o);
      const residual = value + f * (lo * load<f64>(NEXT + o - 8) + di * value + up * load<f64>(NEXT + o + 8)) - load<f64>(RHS + o);
      const gap = residual - (value - load<f64>(PAYOFF + o));
      const exercise = gap > tie;
      if (Math.abs(gap) > tie && exercise != (load<u8>(ACTIVE + <usize>i) != 0)) {
        store<u8>(ACTIVE + <usize>i, exercise ? 1 : 0);
        changed = true;
      }
    }
    if (!changed) break;
  }
}

/** Solves the step's tridiagonal system (exercise rows: V = payoff) into NEXT by Thomas's algorithm. */
function thomas(nx: i32, sub: f64, diag: f64, sup: f64, endLow: f64, endHigh: f64): void {
  let cPrev = 0.0;
  let dPrev = 0.0;
  for (let i = 1; i < nx; i++) {
    const o = <usize>i << 3;
    let s = sub;
    let dd = diag;
    let u = sup;
    let rhs = load<f64>(RHS + o);
    if (load<u8>(ACTIVE + <usize>i) != 0) {
      s = 0.0;
      dd = 1.0;
      u = 0.0;
      rhs = load<f64>(PAYOFF + o);
    } else {
      if (i == 1) {
        rhs -= s * endLow;
        s = 0.0;
      }
      if (i == nx - 1) {
        rhs -= u * endHigh;
        u = 0.0;
      }
    }
    const m = dd - s * cPrev;
    cPrev = u / m;
    dPrev = (rhs - s * dPrev) / m;
    store<f64>(C + o, cPrev);
    store<f64>(D + o, dPrev);
  }
  let next = load<f64>(D + (<usize>(nx - 1) << 3));
  store<f64>(NEXT + (<usize>(nx - 1) << 3), next);
  for (let i = nx - 2; i >= 1; i--) {
    const o = <usize>i << 3;
    next = load<f64>(D + o) - load<f64>(C + o) * next;
    store<f64>(NEXT + o, next);
  }
}

/** Price, delta and gamma at the spot node of the last solved grid (h its step). */
function spotValues(S: f64, nx: i32, h: f64, out: GridValues): void {
  const o = <usize>(nx >> 1) << 3;
  const below = load<f64>(V + o - 8);
  const at = load<f64>(V + o);
  const above = load<f64>(V + o + 8);
  const vx = (above - below) / (2.0 * h);
  const vxx = (above - 2.0 * at + below) / (h * h);
  out.price = at;
  out.delta = vx / S;
  out.gamma = (vxx - vx) / (S * S);
}

const COARSE: usize = memory.data(offsetof<GridValues>(), 8);

/** The American put (put form, q < r < 0 expected but not required) on the grids of `accurate`'s mode. */
export function americanPutFd(S: f64, K: f64, T: f64, vol: f64, r: f64, q: f64, accurate: bool, out: GridValues): void {
  const n = accurate ? FD_ACCURATE_GRID : FD_FAST_GRID;
  const coarse = changetype<GridValues>(COARSE);
  spotValues(S, n, solveGrid(S, K, T, vol, r, q, n), coarse);
  spotValues(S, 2 * n, solveGrid(S, K, T, vol, r, q, 2 * n), out);
  if (load<u8>(ACTIVE + <usize>n) != 0) {
    out.price = K - S;
    out.delta = -1.0;
    out.gamma = 0.0;
    out.theta = 0.0;
    return;
  }
  out.price = (4.0 * out.price - coarse.price) / 3.0;
  out.delta = (4.0 * out.delta - coarse.delta) / 3.0;
  out.gamma = (4.0 * out.gamma - coarse.gamma) / 3.0;
  out.theta = r * out.price - (r - q) * S * out.delta - 0.5 * vol * vol * S * S * out.gamma;
}
