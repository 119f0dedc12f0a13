// Shape-preserving rational cubic interpolation of R. Delbourgo and J. A. Gregory, "Shape preserving
// piecewise rational interpolation", SIAM J. Sci. Stat. Comput. 6 (1985) 967–976, as used by
// P. Jäckel, "Let's Be Rational" (2015), section 5, for the initial guess of the implied volatility.
// On [x_l, x_r] with values y_l, y_r, slopes d_l, d_r and control parameter r > −1 the interpolant is
//   [y_r t³ + (r y_r − h d_r) t²(1−t) + (r y_l + h d_l) t(1−t)² + y_l (1−t)³] / [1 + (r − 3) t(1−t)],
// h = x_r − x_l, t = (x − x_l)/h (formulas (2.4)/(2.5)); r = 3 is the ordinary cubic, r → ∞ linear.

const DBL_EPSILON: f64 = 2.220446049250313e-16;
const DBL_MIN: f64 = 2.2250738585072014e-308;
const DBL_MAX: f64 = 1.7976931348623157e308;
// r must stay above −1; −(1 − √ε) is the smallest value used.
const MINIMUM_CONTROL_PARAMETER: f64 = -(1.0 - 1.4901161193847656e-8);
// From this value on the interpolant is evaluated as the straight line it has become.
const MAXIMUM_CONTROL_PARAMETER: f64 = 2.0 / (DBL_EPSILON * DBL_EPSILON);

@inline
function isZero(x: f64): bool {
  return Math.abs(x) < DBL_MIN;
}

/** Delbourgo–Gregory rational cubic (2.4)/(2.5) at x; straight line once r ≥ MAXIMUM_CONTROL_PARAMETER. */
export function rationalCubicInterpolation(x: f64, xl: f64, xr: f64, yl: f64, yr: f64, dl: f64, dr: f64, r: f64): f64 {
  const h = xr - xl;
  if (Math.abs(h) <= 0.0) return 0.5 * (yl + yr);
  const t = (x - xl) / h;
  if (!(r >= MAXIMUM_CONTROL_PARAMETER)) {
    const omt = 1.0 - t;
    const t2 = t * t;
    const omt2 = omt * omt;
    return (
      (yr * t2 * t + (r * yr - h * dr) * t2 * omt + (r * yl + h * dl) * t * omt2 + yl * omt2 * omt) /
      (1.0 + (r - 3.0) * t * omt)
    );
  }
  return yr * t + yl * (1.0 - t);
}

/** Control parameter r that makes the interpolant's second derivative at x_l equal `secondDerivativeLeft`. */
@inline
function controlParameterToFitSecondDerivativeAtLeftSide(xl: f64, xr: f64, yl: f64, yr: f64, dl: f64, dr: f64, secondDerivativeLeft: f64): f64 {
  const h = xr - xl;
  const numerator = 0.5 * h * secondDerivativeLeft + (dr - dl);
  if (isZero(numerator)) return 0.0;
  const denominator = (yr - yl) / h - dl;
  if (isZero(denominator)) return numerator > 0.0 ? MAXIMUM_CONTROL_PARAMETER : MINIMUM_CONTROL_PARAMETER;
  return numerator / denominator;
}

/** Control parameter r that makes the interpolant's second derivative at x_r equal `secondDerivativeRight`. */
@inline
function controlParameterToFitSecondDerivativeAtRightSide(xl: f64, xr: f64, yl: f64, yr: f64, dl: f64, dr: f64, secondDerivativeRight: f64): f64 {
  const h = xr - xl;
  const numerator = 0.5 * h * secondDerivativeRight + (dr - dl);
  if (isZero(numerator)) return 0.0;
  const denominator = dr - (yr - yl) / h;
  if (isZero(denominator)) return numerator > 0.0 ? MAXIMUM_CONTROL_PARAMETER : MINIMUM_CONTROL_PARAMETER;
  return numerator / denominator;
}

/**
 * Smallest r that keeps the interpolant monotonic (condition (3.8)) and convex or concave (condition (3.18))
 * when the data allow it; `preferShapePreservation` forces the linear limit where those would divide by zero.
 */
function minimumControlParameter(dl: f64, dr: f64, slope: f64, preferShapePreservation: bool): f64 {
  const monotonic = dl * slope >= 0.0 && dr * slope >= 0.0;
  const convex = dl <= slope && slope <= dr;
  const concave = dl >= slope && slope >= dr;
  if (!monotonic && !convex && !concave) return MINIMUM_CONTROL_PARAMETER;
  const drMinusDl = dr - dl;
  const drMinusSlope = dr - slope;
  const slopeMinusDl = slope - dl;
  let r1: f64 = -DBL_MAX;
  let r2: f64 = -DBL_MAX;
  if (monotonic) {
    if (!isZero(slope)) r1 = (dr + dl) / slope;
    else if (preferShapePreservation) r1 = MAXIMUM_CONTROL_PARAMETER;
  }
  if (convex || concave) {
    if (!(isZero(slopeMinusDl) || isZero(drMinusSlope))) {
      r2 = Math.max(Math.abs(drMinusDl / drMinusSlope), Math.abs(drMinusDl / slopeMinusDl));
    } else if (preferShapePreservation) r2 = MAXIMUM_CONTROL_PARAMETER;
  } else if (monotonic && preferShapePreservation) {
    r2 = MAXIMUM_CONTROL_PARAMETER;
  }
  return Math.max(MINIMUM_CONTROL_PARAMETER, Math.max(r1, r2));
}

/** r fitting the second derivative at the left end, raised to the shape-preserving minimum. */
export function convexControlParameterToFitSecondDerivativeAtLeftSide(
  xl: f64, xr: f64, yl: f64, yr: f64, dl: f64, dr: f64, secondDerivativeLeft: f64, preferShapePreservation: bool,
): f64 {
  const r = controlParameterToFitSecondDerivativeAtLeftSide(xl, xr, yl, yr, dl, dr, secondDerivativeLeft);
  const rMin = minimumControlParameter(dl, dr, (yr - yl) / (xr - xl), preferShapePreservation);
  return Math.max(r, rMin);
}

/** r fitting the second derivative at the right end, raised to the shape-preserving minimum. */
export function convexControlParameterToFitSecondDerivativeAtRightSide(
  xl: f64, xr: f64, yl: f64, yr: f64, dl: f64, dr: f64, secondDerivativeRight: f64, preferShapePreservation: bool,
): f64 {
  const r = controlParameterToFitSecondDerivativeAtRightSide(xl, xr, yl, yr, dl, dr, secondDerivativeRight);
  const rMin = minimumControlParameter(dl, dr, (yr - yl) / (xr - xl), preferShapePreservation);
  return Math.max(r, rMin);
}
