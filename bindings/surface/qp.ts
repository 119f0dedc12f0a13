// Small dense linear algebra for the calibrations: Gaussian elimination, and a primal active-set method for
// convex quadratic programs min ½xᵀHx + fᵀx subject to Ax ≤ b (J. Nocedal and S. J. Wright, "Numerical
// Optimization", 2nd ed., Algorithm 16.3). Sizes here are tiny (3 to 16 unknowns): plain arrays, no allocation
// beyond a few per solve.

/** Solves M·x = r in place (M row-major n×n, destroyed; r becomes x). Returns false when M is singular. */
export function solveLinear(M: Float64Array, r: Float64Array, n: number): boolean {
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(M[row * n + col]!) > Math.abs(M[pivot * n + col]!)) pivot = row;
    const p = M[pivot * n + col]!;
    if (!(Math.abs(p) > 0)) return false;
    if (pivot !== col) {
      for (let j = 0; j < n; j++) {
        const t = M[col * n + j]!;
        M[col * n + j] = M[pivot * n + j]!;
        M[pivot * n + j] = t;
      }
      const t = r[col]!;
      r[col] = r[pivot]!;
      r[pivot] = t;
    }
    for (let row = col + 1; row < n; row++) {
      const factor = M[row * n + col]! / p;
      if (factor === 0) continue;
      for (let j = col; j < n; j++) M[row * n + j]! -= factor * M[col * n + j]!;
      r[row]! -= factor * r[col]!;
    }
  }
  for (let row = n - 1; row >= 0; row--) {
    let s = r[row]!;
    for (let j = row + 1; j < n; j++) s -= M[row * n + j]! * r[j]!;
    r[row] = s / M[row * n + row]!;
  }
  return true;
}

/** A convex QP in `n` unknowns: H (n×n, positive definite), f, and constraints rows A (m×n) with bounds b. */
export interface Qp {
  n: number;
  H: Float64Array;
  f: Float64Array;
  A: readonly Float64Array[];
  b: readonly number[];
}

/**
 * Solves the equality-constrained step of the active-set method: min ½pᵀHp + gᵀp s.t. A_W p = 0, through its
 * KKT system. Returns p and the multipliers λ of the working set (Hp + g + A_Wᵀλ = 0), or undefined if singular.
 */
function kktStep(qp: Qp, g: Float64Array, working: readonly number[]): { p: Float64Array; lambda: Float64Array } | undefined {
  const { n } = qp;
  const size = n + working.length;
  const M = new Float64Array(size * size);
  const r = new Float64Array(size);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) M[i * size + j] = qp.H[i * n + j]!;
    r[i] = -g[i]!;
  }
  working.forEach((c, w) => {
    for (let j = 0; j < n; j++) {
      M[(n + w) * size + j] = qp.A[c]![j]!;
      M[j * size + n + w] = qp.A[c]![j]!;
    }
  });
  if (!solveLinear(M, r, size)) return undefined;
  return { p: r.subarray(0, n), lambda: r.subarray(n) };
}

/**
 * Minimises the QP from a feasible point `x0` (Ax0 ≤ b): the primal active-set method, adding the blocking
 * constraint of each step and dropping the one with the most negative multiplier at a stationary point.
 * Returns the minimiser (x0 itself if the working-set system turns singular), within `maxIterations` steps.
 */
export function solveQp(qp: Qp, x0: Float64Array, maxIterations = 60): Float64Array {
  const { n, A, b } = qp;
  const x = Float64Array.from(x0);
  const working: number[] = [];
  const g = new Float64Array(n);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    for (let i = 0; i < n; i++) {
      let s = qp.f[i]!;
      for (let j = 0; j < n; j++) s += qp.H[i * n + j]! * x[j]!;
      g[i] = s;
    }
    const step = kktStep(qp, g, working);
    if (step === undefined) return x;
    const { p, lambda } = step;
    let size = 0;
    for (let i = 0; i < n; i++) size = Math.max(size, Math.abs(p[i]!));
    let scale = 1;
    for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(x[i]!));
    if (size <= 1e-14 * scale) {
      let drop = -1;
      for (let w = 0; w < working.length; w++) if (lambda[w]! < -1e-14 && (drop < 0 || lambda[w]! < lambda[drop]!)) drop = w;
      if (drop < 0) return x;
      working.splice(drop, 1);
      continue;
    }
    let alpha = 1;
    let blocking = -1;
    for (let c = 0; c < A.length; c++) {
      if (working.includes(c)) continue;
      let ap = 0;
      let ax = 0;
      for (let j = 0; j < n; j++) {
        ap += A[c]![j]! * p[j]!;
        ax += A[c]![j]! * x[j]!;
      }
      if (ap > 0) {
        const limit = Math.max(0, (b[c]! - ax) / ap);
        if (limit < alpha) {
          alpha = limit;
          blocking = c;
        }
      }
    }
    for (let j = 0; j < n; j++) x[j]! += alpha * p[j]!;
    if (blocking >= 0) working.push(blocking);
  }
  return x;
}
