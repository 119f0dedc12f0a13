// The demo's option chain: calls and puts over a grid of strikes × expiries on one underlying,
// with a skewed, smiling volatility surface so the implied vols recovered from the prices are not flat.
// Pure data, no DOM: the page (demo/main.ts) and the browser test (test/browser.test.ts) both build it.

/** Market of the chain. Units: expiry in years; rate and dividend continuously compounded. */
export const MARKET = { spot: 100, rate: 0.03, dividend: 0.01 } as const;

/** Strikes 60, 62, …, 140 (41 strikes). */
export const STRIKES: readonly number[] = Array.from({ length: 41 }, (_, k) => 60 + 2 * k);

/** Expiries in calendar days (converted to years as days / 365). */
export const EXPIRY_DAYS: readonly number[] = [7, 30, 61, 91, 182, 273, 365, 730];

/**
 * Model volatility of strike K at expiry T (years): a quadratic smile in log-moneyness x = ln(K/F),
 * F = S·e^{(r−q)T}, over an inverted at-the-money term structure:
 *   σ(K, T) = 0.16 + 0.06·e^{−2T} − 0.25·x + 0.5·x².
 * Over the demo's strikes x ∈ [−0.53, 0.35], so σ stays within about 14% … 50%.
 */
export function smileVol(strike: number, expiry: number): number {
  const forward = MARKET.spot * Math.exp((MARKET.rate - MARKET.dividend) * expiry);
  const x = Math.log(strike / forward);
  return 0.16 + 0.06 * Math.exp(-2 * expiry) - 0.25 * x + 0.5 * x * x;
}

/** The chain as struct-of-arrays columns, ready for `blackScholes` (type +1 call, −1 put). */
export interface ChainColumns {
  /** Number of options: strikes × expiries × 2. */
  length: number;
  type: Int8Array;
  strike: Float64Array;
  /** Years. */
  expiry: Float64Array;
  /** Model vol from smileVol(). */
  vol: Float64Array;
  spot: number;
  rate: number;
  dividend: number;
}

/**
 * Index of one option in the chain columns: expiries outermost, then strikes, then call (0) / put (1).
 * @example chainIndex(e, k, 1) is the put of strike STRIKES[k] at expiry EXPIRY_DAYS[e].
 */
export function chainIndex(expiryIndex: number, strikeIndex: number, putFlag: 0 | 1): number {
  return (expiryIndex * STRIKES.length + strikeIndex) * 2 + putFlag;
}

/** Builds the chain columns (656 options with the default grid). */
export function buildChain(): ChainColumns {
  const length = EXPIRY_DAYS.length * STRIKES.length * 2;
  const chain: ChainColumns = {
    length,
    type: new Int8Array(length),
    strike: new Float64Array(length),
    expiry: new Float64Array(length),
    vol: new Float64Array(length),
    spot: MARKET.spot,
    rate: MARKET.rate,
    dividend: MARKET.dividend,
  };
  EXPIRY_DAYS.forEach((days, e) => {
    const expiry = days / 365;
    STRIKES.forEach((strike, k) => {
      const vol = smileVol(strike, expiry);
      for (const putFlag of [0, 1] as const) {
        const i = chainIndex(e, k, putFlag);
        chain.type[i] = putFlag === 0 ? 1 : -1;
        chain.strike[i] = strike;
        chain.expiry[i] = expiry;
        chain.vol[i] = vol;
      }
    });
  });
  return chain;
}

/**
 * A repricing batch of at least `targetOptions` options: the whole chain under `scenarios` spot moves
 * spread evenly over ±20% of spot (a spot ladder, as a risk system would run). Spot varies per option.
 */
export function buildSpotLadder(chain: ChainColumns, targetOptions: number) {
  const scenarios = Math.max(1, Math.ceil(targetOptions / chain.length));
  const length = scenarios * chain.length;
  const type = new Int8Array(length);
  const spot = new Float64Array(length);
  const strike = new Float64Array(length);
  const expiry = new Float64Array(length);
  const vol = new Float64Array(length);
  for (let s = 0; s < scenarios; s++) {
    const move = scenarios === 1 ? 1 : 0.8 + (0.4 * s) / (scenarios - 1);
    const offset = s * chain.length;
    type.set(chain.type, offset);
    strike.set(chain.strike, offset);
    expiry.set(chain.expiry, offset);
    vol.set(chain.vol, offset);
    spot.fill(chain.spot * move, offset, offset + chain.length);
  }
  return { scenarios, length, batch: { type, spot, strike, expiry, vol, rate: chain.rate, dividend: chain.dividend } };
}
