// Adapters that price a Float64Array batch with the npm peers, one option per call through each
// peer's public API (that is how they are meant to be used), writing whatever they provide into the
// same output columns as the plain-JS and WASM pricers. Read from their source in node_modules:
//   black-scholes 1.1 + greeks 1.0: price + delta, gamma, vega (per 1%), theta (per year / scale),
//     rho (per 1.00 / scale); no dividend yield; Φ by a 100-term Taylor series (two per call).
//   @uqee/black-scholes 1.0: one call returns price + all five greeks (vega, rho per 1.00; theta is
//     ∂V/∂T with the sign of time to expiry, per year); no dividend yield; we pick its 'double'
//     precision Φ (the default 'single' one has ~1e-7 error).
//   option-pricing 2.1: `new Option({...}).price("bs")`, price only, with dividend yield; Φ from a
//     1.2e-7 erfc approximation.
//
// The peers are dev dependencies: an installed package has none of them, and its bench leaves their rows out
// (`missingPeers` names what to install to get them back).
import type { PlainGreeksColumns, PlainOptionColumns } from "./plain-js.js";

/** Packages among the peers that could not be loaded. */
export const missingPeers: string[] = [];

async function optional<T>(name: string, load: () => Promise<T>): Promise<T | undefined> {
  try {
    return await load();
  } catch {
    missingPeers.push(name);
    return undefined;
  }
}

// CommonJS packages: their exports sit on `default` when imported.
const blackScholesPkg = (await optional("black-scholes", () => import("black-scholes")))?.default as typeof import("black-scholes");
const greeksPkg = (await optional("greeks", () => import("greeks")))?.default as typeof import("greeks");
const uqee = (await optional("@uqee/black-scholes", () => import("@uqee/black-scholes")))?.default as typeof import("@uqee/black-scholes");
const Option = (await optional("option-pricing", () => import("option-pricing")))?.Option as typeof import("option-pricing").Option;

/** A peer library wrapped to price a column batch. */
export interface PeerAdapter {
  /** Row name in the benchmark table. */
  name: string;
  /** npm packages it uses (for the versions line). */
  packages: readonly string[];
  /** Which outputs it fills: a subset of price, delta, gamma, vega, theta, rho. */
  outputs: readonly (keyof PlainGreeksColumns)[];
  /** Whether it honours `dividend` (the others price as if q = 0). */
  dividendYield: boolean;
  /** Prices options 0..n−1 of `input` into `out` (only the `outputs` columns are written). */
  price(n: number, input: PlainOptionColumns, out: PlainGreeksColumns): void;
}

/** black-scholes for the price + greeks for the five greeks: six calls per option, rescaled to per-1.00/per-year units. */
export const blackScholesAndGreeks: PeerAdapter = {
  name: "black-scholes + greeks",
  packages: ["black-scholes", "greeks"],
  outputs: ["price", "delta", "gamma", "vega", "theta", "rho"],
  dividendYield: false,
  price(n, input, out) {
    const { type, spot, strike, expiry, vol, rate } = input;
    for (let i = 0; i < n; i++) {
      const cp = type[i] > 0 ? "call" : "put";
      const s = spot[i], k = strike[i], t = expiry[i], v = vol[i], r = rate[i];
      out.price[i] = blackScholesPkg.blackScholes(s, k, t, v, r, cp);
      out.delta[i] = greeksPkg.getDelta(s, k, t, v, r, cp);
      out.gamma[i] = greeksPkg.getGamma(s, k, t, v, r);
      out.vega[i] = greeksPkg.getVega(s, k, t, v, r) * 100; // library: per 1% of vol
      out.theta[i] = greeksPkg.getTheta(s, k, t, v, r, cp, 1); // scale 1: per year
      out.rho[i] = greeksPkg.getRho(s, k, t, v, r, cp, 1); // scale 1: per 1.00
    }
  },
};

const uqeeDouble = uqee ? new uqee.BlackScholes({ sigmaToPricePrecision: "double" }) : undefined;

/** @uqee/black-scholes: one `option()` call per option returns price and five greeks (theta re-signed to calendar time). */
export const uqeeBlackScholes: PeerAdapter = {
  name: "@uqee/black-scholes",
  packages: ["@uqee/black-scholes"],
  outputs: ["price", "delta", "gamma", "vega", "theta", "rho"],
  dividendYield: false,
  price(n, input, out) {
    const { type, spot, strike, expiry, vol, rate } = input;
    for (let i = 0; i < n; i++) {
      const o = uqeeDouble!.option({
        type: type[i] > 0 ? "call" : "put",
        underlying: spot[i],
        strike: strike[i],
        time: expiry[i],
        sigma: vol[i],
        rate: rate[i],
      });
      out.price[i] = o.price;
      out.delta[i] = o.delta;
      out.gamma[i] = o.gamma;
      out.vega[i] = o.vega;
      out.theta[i] = -o.theta; // library: ∂V/∂T (time to expiry); ours: calendar time
      out.rho[i] = o.rho;
    }
  },
};

/** option-pricing: a new Option per option, Black-Scholes-Merton price only (with dividend yield). */
export const optionPricing: PeerAdapter = {
  name: "option-pricing",
  packages: ["option-pricing"],
  outputs: ["price"],
  dividendYield: true,
  price(n, input, out) {
    const { type, spot, strike, expiry, vol, rate, dividend } = input;
    for (let i = 0; i < n; i++) {
      const option = new Option({
        style: "european",
        type: type[i] > 0 ? "call" : "put",
        initialSpotPrice: spot[i],
        strikePrice: strike[i],
        timeToMaturity: expiry[i],
        volatility: vol[i],
        riskFreeRate: rate[i],
        dividendYield: dividend[i],
      });
      out.price[i] = option.price("bs") ?? NaN;
    }
  },
};

/** Every peer whose packages load, in table order. */
export const peers: readonly PeerAdapter[] = [blackScholesAndGreeks, uqeeBlackScholes, optionPricing].filter((peer) =>
  peer.packages.every((name) => !missingPeers.includes(name)),
);
