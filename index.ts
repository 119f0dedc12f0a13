/**
 * Pricing (Black-Scholes-Merton, implied vol, Monte Carlo, American) in WebAssembly, the worker pool, and the
 * options liquidity pool with its peer book and risk engine, for Node and browsers. Units: docs/units.md.
 * @module pool2peer
 */
// pool2peer: the package entry for Node and browsers (the browser bundle swaps Node-only files for *.browser.ts).
import "./bindings/global-types.js"; // global types the declarations name (WebAssembly, Symbol.asyncDispose) for hosts without them
export * from "./bindings/index.js";
export * from "./workers/index.js";
export * from "./pool/index.js";
