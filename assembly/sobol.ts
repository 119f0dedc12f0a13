// Sobol low-discrepancy sequence in Gray-code order (I. A. Antonov, V. M. Saleev, USSR Comput. Math. Math. Phys.
// 19 (1979) 252-256) with the Joe-Kuo direction numbers of sobol_directions.ts, 32 bits per coordinate.
// Point n is the XOR of the direction numbers V_k over the set bits k of gray(n) = n ^ (n >> 1), so any index is
// reached directly (skip-ahead), and point n+1 = point n ^ V_{ctz(n+1)}.
import { SOBOL_MAX_DIMENSIONS, SOBOL_MAX_DEGREE, SOBOL_POLY, SOBOL_M_INIT } from "./sobol_directions";

export { SOBOL_MAX_DIMENSIONS };

/** Direction numbers V[d][k] (u32, k = 0..31), filled once by ensureSobolDirections(). Static data, not scratch. */
const SOBOL_V: usize = memory.data(SOBOL_MAX_DIMENSIONS * 32 * 4, 16);
let sobolReady = false;

/** Expands the initial integers with the Bratley-Fox recurrence m_k = 2^s m_{k−s} ⊕ m_{k−s} ⊕ ⊕_{j<s} 2^j a_j m_{k−j}. */
export function ensureSobolDirections(): void {
  if (sobolReady) return;
  for (let d = 0; d < SOBOL_MAX_DIMENSIONS; d++) {
    const row = SOBOL_V + (<usize>d << 7);
    if (d == 0) {
      for (let k = 0; k < 32; k++) store<u32>(row + (<usize>k << 2), (<u32>1) << (31 - k));
      continue;
    }
    const poly = load<u32>(SOBOL_POLY + (<usize>d << 2));
    const s = 31 - clz<u32>(poly);
    const a = (poly >> 1) & ((1 << (s - 1)) - 1);
    const init = SOBOL_M_INIT + (<usize>(d * SOBOL_MAX_DEGREE) << 1);
    // First store m_k in the row, then shift each to V_k = m_k << (31 − k).
    for (let k = 0; k < 32; k++) {
      let m: u32;
      if (k < s) {
        m = <u32>load<u16>(init + (<usize>k << 1));
      } else {
        const back = load<u32>(row + (<usize>(k - s) << 2));
        m = back ^ (back << s);
        for (let j = 1; j < s; j++) {
          if ((a >> (s - 1 - j)) & 1) m ^= load<u32>(row + (<usize>(k - j) << 2)) << j;
        }
      }
      store<u32>(row + (<usize>k << 2), m);
    }
    for (let k = 0; k < 32; k++) {
      const p = row + (<usize>k << 2);
      store<u32>(p, load<u32>(p) << (31 - k));
    }
  }
  sobolReady = true;
}

/** V[d][k], the k-th direction number of dimension d. */
// @ts-ignore: decorator
@inline export function sobolDirection(d: i32, k: i32): u32 {
  return load<u32>(SOBOL_V + (<usize>d << 7) + (<usize>k << 2));
}

/** Coordinate d of Sobol point `index` (Gray-code order), computed directly: XOR of V[d][k] over bits of gray(index). */
export function sobolCoordinateAt(d: i32, index: u32): u32 {
  let g = index ^ (index >> 1);
  let x: u32 = 0;
  let k = 0;
  while (g != 0) {
    if (g & 1) x ^= sobolDirection(d, k);
    g >>= 1;
    k++;
  }
  return x;
}

/**
 * Test hook: writes `count` points starting at index `first`, `dims` coordinates each (row-major f64, x·2⁻³²,
 * unshifted), reaching `first` directly and stepping by the Gray-code update. `state` is dims u32 of scratch.
 */
export function sobolFill(dims: i32, first: u32, count: i32, out: usize, state: usize): void {
  ensureSobolDirections();
  for (let d = 0; d < dims; d++) store<u32>(state + (<usize>d << 2), sobolCoordinateAt(d, first));
  for (let n = 0; n < count; n++) {
    if (n > 0) {
      const c = ctz<u32>(first + <u32>n);
      for (let d = 0; d < dims; d++) {
        const p = state + (<usize>d << 2);
        store<u32>(p, load<u32>(p) ^ sobolDirection(d, c));
      }
    }
    const row = out + (<usize>(n * dims) << 3);
    for (let d = 0; d < dims; d++) {
      store<f64>(row + (<usize>d << 3), <f64>load<u32>(state + (<usize>d << 2)) * 2.3283064365386963e-10);
    }
  }
}
