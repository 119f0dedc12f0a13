// The column contract of the batch kernels: which f64 columns blackScholesBatch and blackScholesPriceBatch (assembly/blackscholes.ts),
// impliedVolBatch (assembly/implied_vol.ts) and americanBatch (assembly/american.ts) read, in which order and under
// which rule of assembly/validate.ts, and which columns they write. The pricer, the worker pool and the fleet all
// lay their columns out from these tables.

/** Rule codes of the WASM check `firstInvalid` (assembly/validate.ts). */
export const WASM_RULE = { finite: 0, positive: 1, nonNegative: 2, sign: 3 } as const;
/** A rule of WASM_RULE by name. */
export type WasmRuleName = keyof typeof WASM_RULE;

/** Input columns of blackScholesBatch and americanBatch, in kernel order (type as ±1.0). */
export const OPTION_INPUTS = ["type", "spot", "strike", "expiry", "vol", "rate", "dividend"] as const;
/** Input columns of impliedVolBatch, in kernel order. */
export const IMPLIED_VOL_INPUTS = ["type", "price", "spot", "strike", "expiry", "rate", "dividend"] as const;
/** Input columns every batch kernel takes (OPTION_INPUTS and IMPLIED_VOL_INPUTS alike). */
export const KERNEL_INPUTS = 7;
/** A field of either input table. */
export type KernelInputField = (typeof OPTION_INPUTS)[number] | (typeof IMPLIED_VOL_INPUTS)[number];

/** What every element of an input column must satisfy, as the kernels check it. */
export const INPUT_RULES: Readonly<Record<KernelInputField, WasmRuleName>> = {
  type: "sign", spot: "positive", strike: "positive", expiry: "positive", vol: "positive", price: "nonNegative",
  rate: "finite", dividend: "finite",
};
/** Input fields that may be absent from a batch, and the value they then take (continuously compounded yield 0). */
export const INPUT_DEFAULTS: Readonly<Partial<Record<KernelInputField, number>>> = { dividend: 0 };

/** Output columns of blackScholesBatch (f64), in kernel order. */
export const GREEK_OUTPUTS = ["price", "delta", "gamma", "vega", "theta", "rho"] as const;
/** Output columns of blackScholesPriceBatch (f64): the price of GREEK_OUTPUTS alone. */
export const PRICE_OUTPUTS = ["price"] as const;
/** Output columns of impliedVolBatch: vol (f64), then status and iterations (i32). */
export const IMPLIED_VOL_OUTPUTS = ["vol", "status", "iterations"] as const;
/** Output columns of americanBatch (f64), in kernel order; the boundary's levels and times follow when asked. */
export const AMERICAN_OUTPUTS = ["price", "delta", "gamma", "theta"] as const;

/** Output bytes per option: six f64 greeks; the price alone; vol (f64) with status and iterations (i32). */
export const OUTPUT_BYTES_PER_OPTION = { blackScholes: 8 * GREEK_OUTPUTS.length, blackScholesPrice: 8 * PRICE_OUTPUTS.length, impliedVol: 8 + 4 + 4 } as const;
