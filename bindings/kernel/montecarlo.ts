// The Monte Carlo kernel's contract (assembly/montecarlo.ts monteCarloBlocks): the f64 parameter vector it reads,
// the block of accumulators it writes, and its fixed sizes. Named layouts, so no caller indexes them by position.

/** Paths per block (assembly MC_BLOCK_PATHS; antithetic pairs count as two paths). */
export const MC_BLOCK_PATHS = 4096;
/** Random digital shifts of the Sobol sampler; its standard error is the spread of the 16 replication estimates. */
export const MC_REPLICATIONS = 16;
/** Estimated quantities per sample, in accumulator order: price, control variate, delta, gamma, vega, rho, theta. */
export const MC_QUANTITIES = 7;
/** f64 accumulators per block (assembly MC_BLOCK_ACCUMULATORS). */
export const MC_BLOCK_ACCUMULATORS = 16 + MC_REPLICATIONS * MC_QUANTITIES;
/** Largest `steps` for the sobol sampler (Joe-Kuo dimensions shipped, assembly SOBOL_MAX_DIMENSIONS). */
export const SOBOL_MAX_DIMENSIONS = 1024;
/** f64 words of the parameter vector (assembly MC_PARAMS; the words after MC_PARAM's are zero). */
export const MC_PARAMS = 24;

/** Word of each parameter in the vector (assembly/montecarlo.ts P_*). */
export const MC_PARAM = {
  /** MC_PAYOFF code. */
  payoff: 0,
  /** +1 call, −1 put. */
  type: 1,
  spot: 2,
  /** Ignored by the lookback (floating strike). */
  strike: 3,
  /** Years. */
  expiry: 4,
  vol: 5,
  rate: 6,
  dividend: 7,
  steps: 8,
  paths: 9,
  /** The seed's low 32 bits and the bits above them (seed < 2^53). */
  seedLo: 10,
  seedHi: 11,
  /** MC_SAMPLER code. */
  sampler: 12,
  /** 1 for antithetic pairs. */
  antithetic: 13,
  /** Barrier level, already moved by the Broadie-Glasserman-Kou shift when continuous. */
  barrier: 14,
  /** MC_BARRIER code. */
  barrierKind: 15,
  rebate: 16,
  /** 1 to estimate the greeks. */
  greeks: 17,
  /** MC_CONTROL code. */
  control: 18,
} as const;

/** Payoff codes of MC_PARAM.payoff. */
export const MC_PAYOFF = { european: 0, "asian-arithmetic": 1, "asian-geometric": 2, barrier: 3, digital: 4, lookback: 5 } as const;
/** Barrier codes of MC_PARAM.barrierKind (the up kinds below 2). */
export const MC_BARRIER = { "up-and-out": 0, "up-and-in": 1, "down-and-out": 2, "down-and-in": 3 } as const;
/** Sampler codes of MC_PARAM.sampler. */
export const MC_SAMPLER = { pseudo: 0, sobol: 1 } as const;
/** Control-variate codes of MC_PARAM.control: none, the geometric Asian payoff, the discounted terminal price. */
export const MC_CONTROL = { none: 0, geometricAsian: 1, terminalPrice: 2 } as const;

/** The parameter vector of a spec: every MC_PARAM word set, the rest zero. */
export function encodeMonteCarloParams(values: Readonly<Record<keyof typeof MC_PARAM, number>>): Float64Array {
  const params = new Float64Array(MC_PARAMS);
  for (const name of Object.keys(MC_PARAM) as (keyof typeof MC_PARAM)[]) params[MC_PARAM[name]] = values[name];
  return params;
}

/**
 * Word of each sum in a block of accumulators: the sample count, Σq_k and Σq_k² for the MC_QUANTITIES quantities,
 * Σq₀q₁ (price × control variate), then Σq_k per Sobol replication r at `replications + r·MC_QUANTITIES + k`.
 */
export const MC_ACCUMULATOR = { count: 0, sum: 1, sumOfSquares: 1 + MC_QUANTITIES, priceTimesControl: 1 + 2 * MC_QUANTITIES, replications: 16 } as const;
