/**
 * Thrown for invalid pricing input. `field` names the input field ("spot", "type", "paths"...)
 * and `index` the element of the batch (undefined for a scalar or a whole-field problem).
 * Nothing has been computed or written when it is thrown.
 *
 * @example
 * try { pricer.blackScholes({ ...batch, vol: [0.2, -1] }) }
 * catch (e) { if (e instanceof PricingInputError) console.log(e.field, e.index) } // "vol", 1
 */
export class PricingInputError extends RangeError {
  readonly field: string;
  readonly index: number | undefined;

  constructor(field: string, index: number | undefined, problem: string) {
    super(`${index === undefined ? field : `${field}[${index}]`}: ${problem}`);
    this.name = "PricingInputError";
    this.field = field;
    this.index = index;
  }
}

/**
 * Thrown when a vol surface is refused: it carries butterfly or calendar arbitrage, it moves further from a
 * reference than allowed, or no arbitrage-free fit of a chain exists. `years` names the expiry and `kFrom`/`kTo`
 * the log-moneyness region (k = ln(K/F)) where the problem is; `reason` says which problem. The pool maps it to
 * a PoolError.
 *
 * @example
 * try { guardVolSurface(candidate, { reference, maxVolMove: 0.05 }) }
 * catch (e) { if (e instanceof VolSurfaceError) console.log(e.reason, e.years, e.kFrom, e.kTo) }
 */
export class VolSurfaceError extends RangeError {
  readonly reason: "butterfly" | "calendar" | "move" | "fit";
  readonly years: number | undefined;
  readonly kFrom: number | undefined;
  readonly kTo: number | undefined;

  constructor(reason: VolSurfaceError["reason"], message: string, where: { years?: number; kFrom?: number; kTo?: number } = {}) {
    super(message);
    this.name = "VolSurfaceError";
    this.reason = reason;
    this.years = where.years;
    this.kFrom = where.kFrom;
    this.kTo = where.kTo;
  }
}
