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
