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

/** Buffers of solveQp for problems up to `n` unknowns and `rows` constraints, reused from solve to solve. */
export class QpWorkspace {
  readonly x: Float64Array;
  readonly g: Float64Array;
  readonly M: Float64Array;
  readonly r: Float64Array;
  readonly working: Int32Array;
  count = 0;

  constructor(readonly n: number, readonly rows: number) {
    const size = n + Math.min(rows, n);
    this.x = new Float64Array(n);
    this.g = new Float64Array(n);
    this.M = new Float64Array(size * size);
    this.r = new Float64Array(size);
    this.working = new Int32Array(Math.min(rows, n));
  }
}

/** A_c·v for constraint row c. */
function rowDot(qp: Qp, c: number, v: Float64Array): number {
  let s = 0;
  for (let j = 0; j < qp.n; j++) s += qp.A[c * qp.n + j]! * v[j]!;
  return s;
}

/**
 * Solves the equality-constrained step of the active-set method: min ½pᵀHp + gᵀp s.t. A_W p = 0, through its
 * KKT system, into ws.r: p in its first n entries, then the multipliers λ of the working set (Hp + g + A_Wᵀλ = 0).
 * Returns false if the system is singular.
 */
function kktStep(qp: Qp, ws: QpWorkspace): boolean {
  const { n } = qp;
  const size = n + ws.count;
  const { M, r, g } = ws;
  M.fill(0, 0, size * size);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) M[i * size + j] = qp.H[i * n + j]!;
    r[i] = -g[i]!;
  }
  for (let w = 0; w < ws.count; w++) {
    const c = ws.working[w]!;
    r[n + w] = 0;
    for (let j = 0; j < n; j++) {
      M[(n + w) * size + j] = qp.A[c * n + j]!;
      M[j * size + n + w] = qp.A[c * n + j]!;
    }
  }
  return solveLinear(M, r, size);
}

/** The unconstrained minimiser −H⁻¹f into ws.x; true when it satisfies every constraint (the common case). */
function interiorMinimum(qp: Qp, ws: QpWorkspace): boolean {
  const solved = qp.n === 3 ? cramer3(qp.H, qp.f, ws.x) : solveInto(qp, ws.x);
  if (!solved) return false;
  for (let c = 0; c < qp.m; c++) if (rowDot(qp, c, ws.x) > qp.b[c]!) return false;
  return true;
}

function solveInto(qp: Qp, x: Float64Array): boolean {
  for (let i = 0; i < qp.n; i++) x[i] = -qp.f[i]!;
  return solveLinear(qp.H.slice(0, qp.n * qp.n), x, qp.n);
}

/** −H⁻¹f for a symmetric 3×3 H by cofactors into x (the SVI slice QP's size, solved ~50 times per slice). */
function cramer3(H: Float64Array, f: Float64Array, x: Float64Array): boolean {
  const a = H[0]!, b = H[1]!, c = H[2]!, e = H[4]!, g = H[5]!, i = H[8]!;
  const A = e * i - g * g, B = c * g - b * i, C = b * g - c * e;
  const det = a * A + b * B + c * C;
  if (!(Math.abs(det) > 0)) return false;
  const D = a * i - c * c, E = b * c - a * g, F = a * e - b * b;
  const u = -f[0]! / det, v = -f[1]! / det, w = -f[2]! / det;
  x[0] = A * u + B * v + C * w;
  x[1] = B * u + D * v + E * w;
  x[2] = C * u + E * v + F * w;
  return true;
}

function isWorking(ws: QpWorkspace, c: number): boolean {
  for (let w = 0; w < ws.count; w++) if (ws.working[w] === c) return true;
  return false;
}

/**
 * Minimises the QP from a feasible point `x0` (Ax0 ≤ b): the unconstrained minimiser when feasible, else the
 * primal active-set method, adding the blocking constraint of each step and dropping the one with the most
 * negative multiplier at a stationary point. Returns the minimiser (the last iterate if the working-set system
 * turns singular), within `maxIterations` steps, in `ws.x` when a workspace is given (no allocation), else new.
 */
export function solveQp(qp: Qp, x0: Float64Array, ws: QpWorkspace = new QpWorkspace(qp.n, qp.m), maxIterations = 60): Float64Array {
  if (interiorMinimum(qp, ws)) return ws.x;
  const { n } = qp;
  const { x, g, r } = ws;
  x.set(x0);
  ws.count = 0;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    for (let i = 0; i < n; i++) {
      let s = qp.f[i]!;
      for (let j = 0; j < n; j++) s += qp.H[i * n + j]! * x[j]!;
      g[i] = s;
    }
    if (!kktStep(qp, ws)) return x;
    let size = 0;
    let scale = 1;
    for (let i = 0; i < n; i++) {
      size = Math.max(size, Math.abs(r[i]!));
      scale = Math.max(scale, Math.abs(x[i]!));
    }
    if (size <= 1e-14 * scale) {
      let drop = -1;
      for (let w = 0; w < ws.count; w++) if (r[n + w]! < -1e-14 && (drop < 0 || r[n + w]! < r[n + drop]!)) drop = w;
      if (drop < 0) return x;
      ws.working.copyWithin(drop, drop + 1, ws.count);
      ws.count--;
      continue;
    }
    let alpha = 1;
    let blocking = -1;
    for (let c = 0; c < qp.m; c++) {
      if (isWorking(ws, c)) continue;
      const ap = rowDot(qp, c, r);
      if (ap > 0) {
        const limit = Math.max(0, (qp.b[c]! - rowDot(qp, c, x)) / ap);
        if (limit < alpha) [alpha, blocking] = [limit, c];
      }
    }
    for (let j = 0; j < n; j++) x[j]! += alpha * r[j]!;
    if (blocking >= 0) {
      // A full working set (n independent rows) pins x: the next step is zero and drops a row first.
      if (ws.count === ws.working.length) return x;
      ws.working[ws.count++] = blocking;
    }
  }
  return x;
}
