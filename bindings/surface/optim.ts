// The two unconstrained minimisers the calibrations use: Nelder-Mead for Zeliade's two outer SVI parameters,
// and Levenberg-Marquardt for least squares (K. Madsen, H. B. Nielsen and O. Tingleff, "Methods for non-linear
// least squares problems", 2nd ed. 2004, Algorithm 3.16: damping μ updated by the gain ratio ϱ).
import { solveLinear } from "./qp.js";

/**
 * Nelder-Mead simplex minimisation of f over R^n (standard coefficients: reflection 1, expansion 2, contraction
 * ½, shrink ½) from x0 with initial steps `steps`, until the simplex's values agree to `tolerance` (absolute),
 * its vertices to `sizeTolerance` times the initial steps, or `maxEvaluations` is spent. Returns the best point.
 */
export function nelderMead(
  f: (x: Float64Array) => number, x0: Float64Array, steps: Float64Array, tolerance: number, maxEvaluations: number, sizeTolerance = 0,
): { x: Float64Array; value: number } {
  const n = x0.length;
  const points = [Float64Array.from(x0)];
  for (let i = 0; i < n; i++) {
    const p = Float64Array.from(x0);
    p[i]! += steps[i]!;
    points.push(p);
  }
  const values = points.map(f);
  let evaluations = n + 1;
  const blend = (from: Float64Array, to: Float64Array, t: number) => from.map((v, i) => v + t * (to[i]! - v));
  while (evaluations < maxEvaluations) {
    const order = values.map((_, i) => i).sort((p, q) => values[p]! - values[q]!);
    const best = order[0]!;
    const worst = order[n]!;
    if (values[worst]! - values[best]! <= tolerance) break;
    let size = 0;
    for (const point of points) for (let j = 0; j < n; j++) size = Math.max(size, Math.abs(point[j]! - points[best]![j]!) / steps[j]!);
    if (size <= sizeTolerance) break;
    const centroid = new Float64Array(n);
    for (const i of order.slice(0, n)) for (let j = 0; j < n; j++) centroid[j]! += points[i]![j]! / n;
    const reflected = blend(centroid, points[worst]!, -1);
    const fr = f(reflected);
    evaluations++;
    if (fr < values[best]!) {
      const expanded = blend(centroid, points[worst]!, -2);
      const fe = f(expanded);
      evaluations++;
      [points[worst], values[worst]] = fe < fr ? [expanded, fe] : [reflected, fr];
    } else if (fr < values[order[n - 1]!]!) {
      [points[worst], values[worst]] = [reflected, fr];
    } else {
      const contracted = fr < values[worst]! ? blend(centroid, reflected, 0.5) : blend(centroid, points[worst]!, 0.5);
      const fc = f(contracted);
      evaluations++;
      if (fc < Math.min(fr, values[worst]!)) [points[worst], values[worst]] = [contracted, fc];
      else {
        for (const i of order.slice(1)) {
          points[i] = blend(points[best]!, points[i]!, 0.5);
          values[i] = f(points[i]!);
          evaluations++;
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= n; i++) if (values[i]! < values[best]!) best = i;
  return { x: points[best]!, value: values[best]! };
}

/** A least-squares problem: residuals r(p) and, when given, their Jacobian. */
export interface LeastSquares {
  /** Residuals at p (their number may change with p, e.g. as penalties switch on); undefined outside the domain. */
  residuals(p: Float64Array): Float64Array | undefined;
  /** Jacobian at p (row-major, r.length × p.length), given r = residuals(p); forward differences when absent. */
  jacobian?(p: Float64Array, r: Float64Array): Float64Array;
}

function sumSquares(r: Float64Array): number {
  let s = 0;
  for (const v of r) s += v * v;
  return s;
}

/** Forward differences of the residuals, stepping back where the forward point leaves the domain. */
function forwardJacobian(problem: LeastSquares, p: Float64Array, r: Float64Array): Float64Array {
  const n = p.length;
  const m = r.length;
  const J = new Float64Array(m * n);
  const shifted = Float64Array.from(p);
  for (let j = 0; j < n; j++) {
    const h = 1e-7 * Math.max(1e-3, Math.abs(p[j]!));
    shifted[j] = p[j]! + h;
    let moved = problem.residuals(shifted);
    let sign = 1;
    if (moved === undefined || moved.length !== m) {
      shifted[j] = p[j]! - h;
      moved = problem.residuals(shifted);
      sign = -1;
    }
    if (moved !== undefined && moved.length === m) for (let i = 0; i < m; i++) J[i * n + j] = (sign * (moved[i]! - r[i]!)) / h;
    shifted[j] = p[j]!;
  }
  return J;
}

/** JᵀJ and Jᵀr. */
function normalEquations(J: Float64Array, r: Float64Array, n: number): { JtJ: Float64Array; g: Float64Array } {
  const JtJ = new Float64Array(n * n);
  const g = new Float64Array(n);
  for (let i = 0; i < r.length; i++) {
    for (let a = 0; a < n; a++) {
      const ja = J[i * n + a]!;
      if (ja === 0) continue;
      g[a]! += ja * r[i]!;
      for (let b = 0; b <= a; b++) JtJ[a * n + b]! += ja * J[i * n + b]!;
    }
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) JtJ[b * n + a] = JtJ[a * n + b]!;
  return { JtJ, g };
}

/**
 * Levenberg-Marquardt from p0 (inside the domain): the Jacobian is recomputed only after an accepted step;
 * stops when a step falls below `stepTolerance` relative to p, when an accepted step lowers the cost by less
 * than `costTolerance` of it (a plateau: noisy data), when the cost is at most `costFloor` (an exact fit at
 * rounding level), or after `maxIterations` steps tried. Returns the best point and its sum of squared residuals
 * (Infinity when p0 is outside the domain).
 */
export function levenbergMarquardt(
  problem: LeastSquares, p0: Float64Array, maxIterations = 100, stepTolerance = 1e-13, costTolerance = 1e-12, costFloor = 0,
): { p: Float64Array; cost: number } {
  const n = p0.length;
  let p = Float64Array.from(p0);
  let r = problem.residuals(p);
  if (r === undefined) return { p, cost: Infinity };
  let cost = sumSquares(r);
  let mu = -1;
  let nu = 2;
  let system: { JtJ: Float64Array; g: Float64Array } | undefined;
  for (let iteration = 0; iteration < maxIterations && cost > costFloor; iteration++) {
    system ??= normalEquations(problem.jacobian ? problem.jacobian(p, r) : forwardJacobian(problem, p, r), r, n);
    const { JtJ, g } = system;
    if (mu < 0) mu = 1e-3 * Math.max(...Array.from({ length: n }, (_, a) => JtJ[a * n + a]!));
    const M = JtJ.slice();
    for (let a = 0; a < n; a++) M[a * n + a]! += mu;
    const step = g.map((v) => -v);
    if (!solveLinear(M, step, n)) break;
    let stepSize = 0;
    let size = 0;
    for (let a = 0; a < n; a++) {
      stepSize = Math.max(stepSize, Math.abs(step[a]!));
      size = Math.max(size, Math.abs(p[a]!));
    }
    if (stepSize <= stepTolerance * (size + stepTolerance)) break;
    let trial = p.map((v, a) => v + step[a]!);
    let rTrial = problem.residuals(trial);
    if (rTrial === undefined) {
      // The step leaves the domain: its largest inside fraction (halving), so iterates can slide along a bound.
      for (let t = 0.5; t >= 1 / 16 && rTrial === undefined; t /= 2) {
        trial = p.map((v, a) => v + t * step[a]!);
        rTrial = problem.residuals(trial);
      }
      const shortCost = rTrial === undefined ? Infinity : sumSquares(rTrial);
      if (shortCost < cost) {
        const plateau = cost - shortCost <= costTolerance * cost;
        [p, r, cost, system] = [trial, rTrial!, shortCost, undefined];
        if (plateau) break;
        continue;
      }
    }
    const trialCost = rTrial === undefined ? Infinity : sumSquares(rTrial);
    // Predicted decrease of F = ½Σr² is ½δᵀ(μδ − g) (Madsen et al. (3.14)); doubled for the cost Σr².
    let predicted = 0;
    for (let a = 0; a < n; a++) predicted += step[a]! * (mu * step[a]! - g[a]!);
    const gain = (cost - trialCost) / predicted;
    if (gain > 0 && rTrial !== undefined) {
      const plateau = cost - trialCost <= costTolerance * cost;
      [p, r, cost, system] = [trial, rTrial, trialCost, undefined];
      if (plateau) break;
      mu *= Math.max(1 / 3, 1 - (2 * gain - 1) ** 3);
      nu = 2;
    } else {
      mu *= nu;
      nu *= 2;
    }
  }
  return { p, cost };
}
