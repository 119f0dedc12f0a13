// Types for the untyped npm peers the benchmark calls (their JS source in node_modules is the reference).

declare module "black-scholes" {
  /** Price of a European option without dividends; t in years, v and r as decimals. */
  export function blackScholes(s: number, k: number, t: number, v: number, r: number, callPut: "call" | "put"): number;
  export function stdNormCDF(x: number): number;
  export function getW(s: number, k: number, t: number, v: number, r: number): number;
}

declare module "greeks" {
  export function getDelta(s: number, k: number, t: number, v: number, r: number, callPut: "call" | "put"): number;
  export function getGamma(s: number, k: number, t: number, v: number, r: number): number;
  /** Vega per 1% of vol (divided by 100). */
  export function getVega(s: number, k: number, t: number, v: number, r: number): number;
  /** Theta per year divided by `scale` (default 365: per day). */
  export function getTheta(s: number, k: number, t: number, v: number, r: number, callPut: "call" | "put", scale?: number): number;
  /** Rho per 1.00 of rate divided by `scale` (default 100: per 1%). */
  export function getRho(s: number, k: number, t: number, v: number, r: number, callPut: "call" | "put", scale?: number): number;
}

declare module "option-pricing" {
  export class Option {
    constructor(option: {
      style: "european" | "american";
      type: "call" | "put";
      initialSpotPrice: number;
      strikePrice: number;
      timeToMaturity: number;
      volatility: number;
      riskFreeRate?: number;
      dividendYield?: number;
    });
    price(method: string, params?: object | null): number | undefined;
  }
}
