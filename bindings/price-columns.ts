// Prices alone, written and read in place: the seven option input columns and the price column live in the core's
// scratch memory, the caller fills the input views and blackScholesPriceBatch prices them there (the prices of
// blackScholesBatch bit for bit, without the greeks, no copy in or out, no separate validation pass). For callers
// that value the same portfolio under many scenarios at once (pool/margin's scenario grids), where the greeks are
// never read and copying six output columns costs as much as the arithmetic it skips.
import { callBlackScholesPrice } from "./kernel/calls.js";
import { OPTION_INPUTS, PRICE_OUTPUTS } from "./kernel/columns.js";
import { throwFirstInvalidOption } from "./wasm-batch.js";
import type { WasmCore } from "./wasm.js";

/** A column of PriceColumns, by name. */
export type PriceColumnName = (typeof OPTION_INPUTS)[number] | (typeof PRICE_OUTPUTS)[number];

/**
 * Option columns of `capacity` elements in a core's scratch memory. The views are valid until the next kernel call
 * on the core that uses its scratch (any pricer call): fill them and call `price` in one synchronous run.
 * @example
 * const cols = PriceColumns.reserve(pricer.core, 3);
 * cols.view.type.fill(-1); cols.view.spot.fill(100); cols.view.strike.set([90, 100, 110]);
 * cols.view.expiry.fill(0.5); cols.view.vol.fill(0.2); cols.view.rate.fill(0.03); cols.view.dividend.fill(0);
 * const prices = cols.price(3); // a view: copy what must outlive the next call
 */
export class PriceColumns {
  /** Views of every column (`capacity` long): inputs of OPTION_INPUTS (type as ±1.0), then price. */
  readonly view: Readonly<Record<PriceColumnName, Float64Array>>;

  private constructor(private readonly core: WasmCore, readonly capacity: number, private readonly pointers: number[]) {
    const view = {} as Record<PriceColumnName, Float64Array>;
    [...OPTION_INPUTS, ...PRICE_OUTPUTS].forEach((name, k) => (view[name] = core.f64(pointers[k]!, capacity)));
    this.view = view;
  }

  /** Reserves the columns for `capacity` options in `core`'s scratch memory (16-byte aligned columns). */
  static reserve(core: WasmCore, capacity: number): PriceColumns {
    const stride = Math.ceil((capacity * 8) / 16) * 16;
    const columns = OPTION_INPUTS.length + PRICE_OUTPUTS.length;
    const base = core.reserve(columns * stride);
    return new PriceColumns(core, capacity, Array.from({ length: columns }, (_, k) => base + k * stride));
  }

  /**
   * `reused` when its views are still those of `core`'s scratch for at least `capacity` options (same place, memory
   * not grown since), else new columns.
   */
  static reuse(reused: PriceColumns | undefined, core: WasmCore, capacity: number): PriceColumns {
    if (reused && reused.core === core && reused.capacity >= capacity && reused.view.price.buffer === core.exports.memory.buffer) {
      const base = core.reserve(reused.pointers.length * Math.ceil((reused.capacity * 8) / 16) * 16);
      if (base === reused.pointers[0]) return reused;
    }
    return PriceColumns.reserve(core, capacity);
  }

  /**
   * Prices the first `count` options; returns the price view (its first `count` elements). Throws the
   * PricingInputError of the first invalid input (column order, then index) when an input is outside the domain.
   */
  price(count: number): Float64Array {
    if (!(Number.isInteger(count) && count >= 0 && count <= this.capacity)) throw new RangeError(`count must be an integer in [0, ${this.capacity}], got ${count}`);
    if (callBlackScholesPrice(this.core.exports, count, this.pointers) !== 0) {
      this.view.price.fill(NaN, 0, count);
      throwFirstInvalidOption({ core: this.core, pointers: this.pointers }, count);
      throw new Error("pool2peer: internal error: the kernel flagged an input that firstInvalid accepts");
    }
    return this.view.price;
  }
}
