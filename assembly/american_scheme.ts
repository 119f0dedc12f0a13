// The two discretisations of the American pricer (assembly/american.ts): the Chebyshev nodes of the exercise
// boundary, the quadrature rules of the fixed-point integrals and of the price integral, and the interpolation
// matrices that carry the boundary from its nodes to every quadrature point. All of them are the same for every
// option (they scale with the expiry T only through factors the kernel applies), so they are computed once per
// scheme, on first use, into static memory.
//
// Boundary (Andersen, Lake & Offengelt, "High-performance American option pricing", J. Comput. Finance 20(1),
// 2016, §4-5): the put boundary B(τ) is carried as H = (ln B/X)², a polynomial in z = 2√(τ/T) − 1 interpolated
// at the Chebyshev-Lobatto nodes z_j = −cos(jπ/n), j = 0..n (√τ_j = √T·(1 + z_j)/2; z_0 = −1 is τ = 0, where
// B = X and H = 0). Barycentric weights (−1)^j·δ_j, δ = ½ at the ends (Berrut & Trefethen, SIAM Rev. 46 (2004) §5).
//
// Quadrature: every integral over u ∈ [0, τ] is taken in θ ∈ [0, π/2] with √(τ − u) = √τ·sin θ, √u = √τ·cos θ,
// du = 2τ·sin θ·cos θ dθ. Both ends of the boundary integrals are then smooth in θ: the 1/√(τ − u) kernels of the
// fixed-point equation lose their singularity (du/√(τ − u) = 2√τ·cos θ dθ), and the boundary, smooth in √u, is
// smooth in cos θ. Gauss-Legendre in θ converges geometrically on such integrands; the plain √(τ − u)
// substitution leaves a √ branch at u = 0, which costs algebraic convergence (the reason QuantLib's Legendre
// schemes need tanh-sinh for high accuracy).
//
// Point k of node j (j = 1..n, k = 0..l−1) sits at √(τ_j − u) = √T·(1 + z_j)/2·sin θ_k, so its Chebyshev
// coordinate is z = (1 + z_j)·cos θ_k − 1, the same for every T: row (j, k) of the interpolation matrix M is
// fixed. Price point k (of p) at u = T·cos²θ_k: z = 2·cos θ_k − 1, row k of P. The price points are graded towards
// θ = 0, θ = (π/2)·t² with Gauss-Legendre in t ∈ [0, 1]: for a spot a little above the boundary the premium's
// integrands (and more so gamma's) rise at θ ~ ln(S/B)/(σ√T), which equal spacing in θ resolves poorly (accurate
// grid max error 9.3e-6 → 1.6e-6; near-boundary theta of the fast scheme 6e-2 → 3e-3 a year).

/** Accuracy modes of americanBatch (bindings/american.ts names them "fast" and "accurate"). */
export const AMERICAN_FAST: i32 = 0;
export const AMERICAN_ACCURATE: i32 = 1;

/**
 * One scheme: n Chebyshev intervals (n + 1 boundary nodes), l points per node in the fixed-point integrals (even:
 * the f64x2 loops take them in pairs), m fixed-point iterations (the first a Jacobi-Newton step), p price points
 * (even). Tables (f64), point i = (j − 1)·l + k of node j = 1..n:
 *   half[j]      (1 + z_j)/2, j = 0..n                          √τ_j = √T·half[j]
 *   sinAt[i]     half[j]·sin θ_k                                √(τ_j − u) = √T·sinAt[i]
 *   weightDu[i]  w_k·2·half[j]²·sin θ_k·cos θ_k                 quadrature weight of du, over T
 *   matrix       column j − 1 (j = 1..n) holds M[i][j] for i = 0..n·l−1 (H_0 = 0 needs no column)
 *   priceSin[k], priceDu[k] = w_k·2·sin θ_k·cos θ_k, priceDm[k] = w_k·2·cos θ_k/√(2π), priceMatrix (columns as matrix)
 */
@unmanaged
export class Scheme {
  n: i32;
  l: i32;
  m: i32;
  p: i32;
  /** Depth of the Anderson acceleration of the iteration (0: none). */
  anderson: i32;
  ready: i32;
  half: usize;
  sinAt: usize;
  weightDu: usize;
  matrix: usize;
  priceSin: usize;
  priceDu: usize;
  priceDm: usize;
  priceMatrix: usize;
}

// Fast: three steps, no acceleration (grid RMS 7.3e-5; two steps give 1.9e-4, QuantLib's fast scheme 2.1e-4).
// Accurate: six steps with Anderson acceleration of depth 3 (grid RMS 1.4e-7; 4.3e-7 after eight plain steps).
// The node count n sets the accuracy floor (RMS 6.9e-8 at n = 16 with the iteration converged): H has a
// τ·ln τ-type term at τ = 0 that polynomials resolve only algebraically. l and p are at their converged values for
// each n (l = 12 against 24 changes the accurate grid RMS by 1e-9).
const FAST_N: i32 = 7;
const FAST_L: i32 = 8;
const FAST_M: i32 = 3;
const FAST_P: i32 = 24;
const FAST_ANDERSON: i32 = 0;
const ACCURATE_N: i32 = 16;
const ACCURATE_L: i32 = 12;
const ACCURATE_M: i32 = 6;
const ACCURATE_P: i32 = 40;
const ACCURATE_ANDERSON: i32 = 3;

/** The largest tables of either scheme, for the kernel's work areas. */
export const MAX_NODES: i32 = ACCURATE_N + 1;
export const MAX_POINTS: i32 = ACCURATE_N * ACCURATE_L;
export const MAX_PRICE_POINTS: i32 = ACCURATE_P;
export const MAX_ANDERSON: i32 = ACCURATE_ANDERSON;

const INV_SQRT_2PI: f64 = 0.3989422804014326779399460599343818684759;
const HALF_PI: f64 = 1.5707963267948966;

// Bytes of a scheme's tables (see Scheme; 144 for the 16-byte alignment of its nine tables).
const FAST_TABLE_BYTES: i32 = ((FAST_N + 1) + 2 * FAST_N * FAST_L + FAST_N * FAST_N * FAST_L + 3 * FAST_P + FAST_N * FAST_P) * 8 + 144;
const ACCURATE_TABLE_BYTES: i32 =
  ((ACCURATE_N + 1) + 2 * ACCURATE_N * ACCURATE_L + ACCURATE_N * ACCURATE_N * ACCURATE_L + 3 * ACCURATE_P + ACCURATE_N * ACCURATE_P) * 8 + 144;

const FAST_RECORD: usize = memory.data(offsetof<Scheme>(), 16);
const ACCURATE_RECORD: usize = memory.data(offsetof<Scheme>(), 16);
const FAST_TABLES: usize = memory.data(FAST_TABLE_BYTES, 16);
const ACCURATE_TABLES: usize = memory.data(ACCURATE_TABLE_BYTES, 16);

/** The scheme of `mode` (AMERICAN_FAST or AMERICAN_ACCURATE), its tables built on first use. */
export function schemeOf(mode: i32): Scheme {
  const scheme = changetype<Scheme>(mode == AMERICAN_FAST ? FAST_RECORD : ACCURATE_RECORD);
  if (!scheme.ready) {
    if (mode == AMERICAN_FAST) {
      scheme.anderson = FAST_ANDERSON;
      build(scheme, FAST_N, FAST_L, FAST_M, FAST_P, FAST_TABLES);
    } else {
      scheme.anderson = ACCURATE_ANDERSON;
      build(scheme, ACCURATE_N, ACCURATE_L, ACCURATE_M, ACCURATE_P, ACCURATE_TABLES);
    }
  }
  return scheme;
}

/** Boundary nodes (n + 1) of the scheme of `mode`: the length of one option's row of the boundary output. */
export function americanBoundaryNodes(mode: i32): i32 {
  return schemeOf(mode).n + 1;
}

/** The 16-byte aligned address after `count` f64 from `at`. */
function after(at: usize, count: i32): usize {
  return at + (((<usize>count << 3) + 15) & ~(<usize>15));
}

/** Lays the tables out from `base` and fills them. */
function build(scheme: Scheme, n: i32, l: i32, m: i32, p: i32, base: usize): void {
  scheme.n = n;
  scheme.l = l;
  scheme.m = m;
  scheme.p = p;
  const np = n * l;
  let at = base;
  scheme.half = at;
  at = after(at, n + 1);
  scheme.sinAt = at;
  at = after(at, np);
  scheme.weightDu = at;
  at = after(at, np);
  scheme.matrix = at;
  at = after(at, n * np);
  scheme.priceSin = at;
  at = after(at, p);
  scheme.priceDu = at;
  at = after(at, p);
  scheme.priceDm = at;
  at = after(at, p);
  scheme.priceMatrix = at;
  fillFixedPointTables(scheme);
  fillPriceTables(scheme);
  scheme.ready = 1;
}

/** Chebyshev-Lobatto node z_j = −cos(jπ/n). */
function chebyshevNode(j: i32, n: i32): f64 {
  return -Math.cos((<f64>j * Math.PI) / <f64>n);
}

/**
 * Row of the barycentric interpolation at z on the nodes of an n-interval scheme, written from `row` with
 * `stride` bytes between entries, for nodes j = 1..n (node 0's value is 0 and needs no entry).
 */
function interpolationRow(z: f64, n: i32, row: usize, stride: usize): void {
  let sum = 0.0;
  let exact = -1;
  for (let j = 0; j <= n; j++) {
    const d = z - chebyshevNode(j, n);
    if (d == 0) exact = j;
  }
  for (let j = 0; j <= n; j++) {
    const weight = (j & 1 ? -1.0 : 1.0) * (j == 0 || j == n ? 0.5 : 1.0);
    sum += weight / (z - chebyshevNode(j, n));
  }
  for (let j = 1; j <= n; j++) {
    let value: f64;
    if (exact >= 0) value = j == exact ? 1.0 : 0.0;
    else value = ((j & 1 ? -1.0 : 1.0) * (j == n ? 0.5 : 1.0)) / (z - chebyshevNode(j, n)) / sum;
    store<f64>(row + <usize>(j - 1) * stride, value);
  }
}

/** Legendre polynomial P_n(x) and P_{n−1}(x) by the three-term recurrence. */
function legendre(n: i32, x: f64, previous: usize): f64 {
  let p0 = 1.0;
  let p1 = x;
  for (let k = 2; k <= n; k++) {
    const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / <f64>k;
    p0 = p1;
    p1 = p2;
  }
  store<f64>(previous, p0);
  return p1;
}

const LEGENDRE_SLOT: usize = memory.data(8, 8);

/**
 * Gauss-Legendre node k (ascending) of an n-point rule on [−1, 1] and its weight: Newton on P_n from Tricomi's
 * initial guess cos(π(k + 3/4)/(n + 1/2)), w = 2/((1 − x²)·P_n'(x)²) (Abramowitz & Stegun 25.4.29).
 */
function gaussLegendre(n: i32, k: i32, weight: usize): f64 {
  let x = Math.cos((Math.PI * (<f64>(n - 1 - k) + 0.75)) / (<f64>n + 0.5));
  for (let it = 0; it < 100; it++) {
    const pn = legendre(n, x, LEGENDRE_SLOT);
    const derivative = (<f64>n * (x * pn - load<f64>(LEGENDRE_SLOT))) / (x * x - 1.0);
    const step = pn / derivative;
    x -= step;
    if (Math.abs(step) < 1e-16) break;
  }
  const pn = legendre(n, x, LEGENDRE_SLOT);
  const derivative = (<f64>n * (x * pn - load<f64>(LEGENDRE_SLOT))) / (x * x - 1.0);
  store<f64>(weight, 2.0 / ((1.0 - x * x) * derivative * derivative));
  return x;
}

const WEIGHT_SLOT: usize = memory.data(8, 8);

/** θ_k = π/4·(1 + x_k) of an l-point rule on [0, π/2]; its weight (π/4)·w_k goes to WEIGHT_SLOT. */
function thetaNode(l: i32, k: i32): f64 {
  const x = gaussLegendre(l, k, WEIGHT_SLOT);
  store<f64>(WEIGHT_SLOT, load<f64>(WEIGHT_SLOT) * (HALF_PI * 0.5));
  return HALF_PI * 0.5 * (1.0 + x);
}

function fillFixedPointTables(scheme: Scheme): void {
  const n = scheme.n;
  const l = scheme.l;
  const np = n * l;
  for (let j = 0; j <= n; j++) store<f64>(scheme.half + (<usize>j << 3), 0.5 * (1.0 + chebyshevNode(j, n)));
  for (let k = 0; k < l; k++) {
    const theta = thetaNode(l, k);
    const w = load<f64>(WEIGHT_SLOT);
    const s = Math.sin(theta);
    const c = Math.cos(theta);
    for (let j = 1; j <= n; j++) {
      const half = load<f64>(scheme.half + (<usize>j << 3));
      const i = (j - 1) * l + k;
      const o = <usize>i << 3;
      store<f64>(scheme.sinAt + o, half * s);
      store<f64>(scheme.weightDu + o, w * 2.0 * half * half * s * c);
      interpolationRow(2.0 * half * c - 1.0, n, scheme.matrix + o, <usize>np << 3);
    }
  }
}

/** Price points θ_k = (π/2)·t_k², t_k = (1 + x_k)/2 for the p-point Gauss-Legendre nodes x_k, weight w_k·(π/2)·t_k. */
function fillPriceTables(scheme: Scheme): void {
  const p = scheme.p;
  for (let k = 0; k < p; k++) {
    const x = gaussLegendre(p, k, WEIGHT_SLOT);
    const t = 0.5 * (1.0 + x);
    const theta = HALF_PI * t * t;
    const w = load<f64>(WEIGHT_SLOT) * HALF_PI * t;
    const s = Math.sin(theta);
    const c = Math.cos(theta);
    const o = <usize>k << 3;
    store<f64>(scheme.priceSin + o, s);
    store<f64>(scheme.priceDu + o, w * 2.0 * s * c);
    store<f64>(scheme.priceDm + o, w * 2.0 * c * INV_SQRT_2PI);
    interpolationRow(2.0 * c - 1.0, scheme.n, scheme.priceMatrix + o, <usize>p << 3);
  }
}
