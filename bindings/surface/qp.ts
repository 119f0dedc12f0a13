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

/** A convex QP in `n` unknowns: H (n×n, positive definite), f, and `m` constraint rows A (m×n, row-major) ≤ b. */
export interface Qp {
  n: number;
  H: Float64Array;
  f: Float64Array;
  m: number;
  A: Float64Array;
  b: Float64Array;
}

/** A_c·v for constraint row c. */
function rowDot(qp: Qp, c: number, v: Float64Array): number {
  let s = 0;
  for (let j = 0; j < qp.n; j++) s += qp.A[c * qp.n + j]! * v[j]!;
  return s;
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
      M[(n + w) * size + j] = qp.A[c * n + j]!;
      M[j * size + n + w] = qp.A[c * n + j]!;
    }
  });
  if (!solveLinear(M, r, size)) return undefined;
  return { p: r.subarray(0, n), lambda: r.subarray(n) };
}

/** The unconstrained minimiser −H⁻¹f when it satisfies every constraint (the common case), else undefined. */
function interiorMinimum(qp: Qp): Float64Array | undefined {
  const x = qp.n === 3 ? cramer3(qp.H, qp.f) : solveInto(qp);
  if (x === undefined) return undefined;
  for (let c = 0; c < qp.m; c++) if (rowDot(qp, c, x) > qp.b[c]!) return undefined;
  return x;
}

function solveInto(qp: Qp): Float64Array | undefined {
  const x = qp.f.map((v) => -v);
  return solveLinear(qp.H.slice(), x, qp.n) ? x : undefined;
}

/** −H⁻¹f for a symmetric 3×3 H by cofactors (the SVI slice QP's size, solved ~100 times per slice). */
function cramer3(H: Float64Array, f: Float64Array): Float64Array | undefined {
  const [a, b, c, e, g, i] = [H[0]!, H[1]!, H[2]!, H[4]!, H[5]!, H[8]!];
  const [A, B, C] = [e * i - g * g, c * g - b * i, b * g - c * e];
  const det = a * A + b * B + c * C;
  if (!(Math.abs(det) > 0)) return undefined;
  const [D, E, F] = [a * i - c * c, b * c - a * g, a * e - b * b];
  const [u, v, w] = [-f[0]! / det, -f[1]! / det, -f[2]! / det];
  return Float64Array.of(A * u + B * v + C * w, B * u + D * v + E * w, C * u + E * v + F * w);
}

/**
 * Minimises the QP from a feasible point `x0` (Ax0 ≤ b): the unconstrained minimiser when feasible, else the
 * primal active-set method, adding the blocking constraint of each step and dropping the one with the most
 * negative multiplier at a stationary point. Returns the minimiser (the last iterate if the working-set system
 * turns singular), within `maxIterations` steps.
 */
export function solveQp(qp: Qp, x0: Float64Array, maxIterations = 60): Float64Array {
  const interior = interiorMinimum(qp);
  if (interior !== undefined) return interior;
  const { n } = qp;
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
    let scale = 1;
    for (let i = 0; i < n; i++) {
      size = Math.max(size, Math.abs(p[i]!));
      scale = Math.max(scale, Math.abs(x[i]!));
    }
    if (size <= 1e-14 * scale) {
      let drop = -1;
      for (let w = 0; w < working.length; w++) if (lambda[w]! < -1e-14 && (drop < 0 || lambda[w]! < lambda[drop]!)) drop = w;
      if (drop < 0) return x;
      working.splice(drop, 1);
      continue;
    }
    let alpha = 1;
    let blocking = -1;
    for (let c = 0; c < qp.m; c++) {
      if (working.includes(c)) continue;
      const ap = rowDot(qp, c, p);
      if (ap > 0) {
        const limit = Math.max(0, (qp.b[c]! - rowDot(qp, c, x)) / ap);
        if (limit < alpha) [alpha, blocking] = [limit, c];
      }
    }
    for (let j = 0; j < n; j++) x[j]! += alpha * p[j]!;
    if (blocking >= 0) working.push(blocking);
  }
  return x;
}
