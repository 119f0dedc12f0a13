// Public input and output types of the pricer. Units: expiry in years; rate, dividend and vol
// continuously compounded / annualised decimals (0.05 = 5%).

/** "call" | "put" for one option. */
export type OptionType = "call" | "put";

/** A numeric input: one number broadcast to the whole batch, or one value per option. */
export type NumericColumn = number | ArrayLike<number>;

/**
 * Option types: one for the whole batch, an array of "call"/"put", or an Int8Array or Float64Array of
 * +1 (call) / −1 (put) (the Float64Array form is what zero-copy batches hold).
 */
export type TypeColumn = OptionType | readonly OptionType[] | Int8Array | Float64Array;

/** A batch of European options for Black-Scholes-Merton pricing. */
export interface OptionBatch {
  type: TypeColumn;
  /** Spot price of the underlying, > 0. */
  spot: NumericColumn;
  /** Strike, > 0. */
  strike: NumericColumn;
  /** Time to expiry in years, > 0. */
  expiry: NumericColumn;
  /** Annualised volatility, > 0 (0.2 = 20%). */
  vol: NumericColumn;
  /** Continuously compounded risk-free rate (may be negative). */
  rate: NumericColumn;
  /** Continuously compounded dividend (or foreign rate) yield; default 0. */
  dividend?: NumericColumn;
}

/** A batch of option prices to invert for implied volatility: an OptionBatch with `price` instead of `vol`. */
export interface ImpliedVolBatch extends Omit<OptionBatch, "vol"> {
  /** Option price (discounted, same units as spot), ≥ 0. */
  price: NumericColumn;
}

/**
 * Price and greeks, one Float64Array element per option.
 * vega = ∂V/∂σ per 1.00 of vol; theta = ∂V/∂t as calendar time passes, per year;
 * rho = ∂V/∂r per 1.00 of rate; delta and gamma with respect to spot.
 */
export interface Greeks {
  price: Float64Array;
  delta: Float64Array;
  gamma: Float64Array;
  vega: Float64Array;
  theta: Float64Array;
  rho: Float64Array;
}

/** Status codes of implied-vol elements (`ImpliedVolResult.status`). */
export const ImpliedVolStatus = {
  /** A volatility was found. */
  ok: 0,
  /** The price is below the intrinsic value: no volatility exists, vol is NaN. */
  belowIntrinsic: 1,
  /** The price is at or above the upper bound (forward for a call, strike for a put, discounted): vol is NaN. */
  aboveMaximum: 2,
  /** The price equals the intrinsic value to within 4ε relative (no resolvable time value): vol is 0. */
  atIntrinsic: 3,
} as const;
export type ImpliedVolStatusCode = (typeof ImpliedVolStatus)[keyof typeof ImpliedVolStatus];

/** Implied volatilities; `vol[i]` is NaN where `status[i]` says no volatility exists. */
export interface ImpliedVolResult {
  vol: Float64Array;
  /** One of ImpliedVolStatus per element. */
  status: Int32Array;
  /** Householder iterations used per element (Let's Be Rational: at most 3). */
  iterations: Int32Array;
}
