// The WASM core's exports as TypeScript sees them: the one declaration of the ABI of build/pool2peer.*.wasm
// (assembly/index.ts). Every caller (bindings/, workers/, fleet/, pool/risk/) reads the exports through this type.

/** The functions exported by build/pool2peer.*.wasm (see assembly/index.ts). Pointers are byte offsets. */
export interface CoreExports extends Record<string, unknown> {
  memory: WebAssembly.Memory;
  simdEnabled(): number;
  scratchPointer(): number;
  reserveScratch(bytes: number): number;
  blackScholesBatch(
    n: number, type: number, spot: number, strike: number, expiry: number, vol: number, rate: number, dividend: number,
    price: number, delta: number, gamma: number, vega: number, theta: number, rho: number,
  ): number;
  /** blackScholesBatch's price column alone, bit for bit (assembly/blackscholes.ts); kernel/calls.ts callBlackScholesPrice. */
  blackScholesPriceBatch(
    n: number, type: number, spot: number, strike: number, expiry: number, vol: number, rate: number, dividend: number, price: number,
  ): number;
  impliedVolBatch(
    n: number, type: number, price: number, spot: number, strike: number, expiry: number, rate: number, dividend: number,
    vol: number, status: number, iterations: number,
  ): number;
  /** American prices and greeks (assembly/american.ts); kernel/calls.ts callAmerican lays its columns out. */
  americanBatch(
    n: number, type: number, spot: number, strike: number, expiry: number, vol: number, rate: number, dividend: number,
    price: number, delta: number, gamma: number, theta: number, mode: number, boundaryLevel: number, boundaryTime: number,
  ): number;
  /** Boundary nodes per option of accuracy mode `mode`. */
  americanBoundaryNodes(mode: number): number;
  /** Bytes of the Black-Scholes kernel's work area. */
  blackScholesWorkBytes(): number;
  /** Moves this instance's Black-Scholes work area to `pointer` (16-byte aligned; 0: its static place). */
  useBlackScholesWorkArea(pointer: number): void;
  normalisedBlackCall(x: number, s: number): number;
  normalisedVega(x: number, s: number): number;
  /** Monte Carlo blocks [firstBlock, firstBlock + blockCount) of the MC_PARAMS vector at `params` (kernel/montecarlo.ts). */
  monteCarloBlocks(params: number, firstBlock: number, blockCount: number, out: number, work: number): void;
  /** Bytes of the Monte Carlo work area for `steps` dates. */
  monteCarloWorkBytes(steps: number): number;
  /** `count` standard normals of Philox sample `sample` under key (seedLo, seedHi) (pool/risk/normals.ts). */
  philoxNormals(seedLo: number, seedHi: number, sample: number, count: number, out: number, work: number): void;
  /** Index of the first element of an f64 column breaking a rule (0 finite, 1 > 0, 2 ≥ 0, 3 ±1), or −1. */
  firstInvalid(pointer: number, n: number, rule: number): number;
  /** The static vol-surface block (see assembly/surface.ts for its layout, read through SURFACE_* below). */
  surfaceParamsPointer(): number;
  /** σ(k, T) of the surface block at `surface` for n points; 1 when an input is out of its domain. */
  surfaceVolBatch(surface: number, n: number, k: number, years: number, vol: number): number;
  /** σ at strikes: k = ln(K/S) − (r − q)T; 1 when an input is out of its domain. */
  surfaceVolStrikeBatch(
    surface: number, n: number, spot: number, strike: number, expiry: number, rate: number, dividend: number, vol: number,
  ): number;
  /** w, ∂w/∂k, Durrleman's g and ∂w/∂T at n points; 1 when an input is out of its domain. */
  surfaceShapeBatch(surface: number, n: number, k: number, years: number, w: number, dwdk: number, g: number, dwdT: number): number;
  /** Per row of the grid k × years: min g, its k index, min ∂w/∂T, its k index (SURFACE_GRID_ROW_WORDS f64 a row). */
  surfaceGridMinima(surface: number, k: number, nk: number, years: number, nt: number, out: number): number;
}

/** Names of the layout constants of a vol-surface block that the core exports as globals (assembly/surface.ts). */
export const SURFACE_LAYOUT_GLOBALS = [
  "SURFACE_KIND_SVI", "SURFACE_KIND_SSVI_POWER_LAW", "SURFACE_KIND_SSVI_HESTON",
  "SURFACE_WORD_KIND", "SURFACE_WORD_COUNT", "SURFACE_WORD_RHO", "SURFACE_WORD_ETA", "SURFACE_WORD_GAMMA", "SURFACE_HEADER_WORDS",
  "SURFACE_COLUMN_YEARS", "SURFACE_COLUMN_THETA", "SURFACE_COLUMN_A", "SURFACE_COLUMN_B", "SURFACE_COLUMN_RHO", "SURFACE_COLUMN_M",
  "SURFACE_COLUMN_SIGMA", "SURFACE_COLUMNS", "SURFACE_MAX_SLICES", "SURFACE_GRID_ROW_WORDS",
] as const;
