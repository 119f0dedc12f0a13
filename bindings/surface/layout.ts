// The vol-surface block of the WASM core: its layout is declared once, in assembly/surface.ts, and read here
// from the globals the core exports; encodeSurface writes a surface's parameters in that layout.
import { SURFACE_LAYOUT_GLOBALS } from "../kernel/exports.js";
import type { WasmCore } from "../wasm.js";
import { ssviSlices } from "./ssvi.js";
import type { VolSurfaceSpec } from "./types.js";

type LayoutName = (typeof SURFACE_LAYOUT_GLOBALS)[number];

/** The layout constants, by their assembly names. */
export type SurfaceLayout = Readonly<Record<LayoutName, number>>;

const layouts = new WeakMap<object, SurfaceLayout>();

/** The layout constants of `core`'s build (read once per instance). */
export function surfaceLayout(core: WasmCore): SurfaceLayout {
  let layout = layouts.get(core.exports);
  if (layout === undefined) {
    const values = {} as Record<LayoutName, number>;
    for (const name of SURFACE_LAYOUT_GLOBALS) {
      const global = core.exports[name];
      if (!(global instanceof WebAssembly.Global)) throw new Error(`pool2peer: the WASM core does not export ${name}`);
      values[name] = Number(global.value);
    }
    layout = Object.freeze(values);
    layouts.set(core.exports, layout);
  }
  return layout;
}

/** Words of a block holding n slices. */
export function blockWords(layout: SurfaceLayout, n: number): number {
  return layout.SURFACE_HEADER_WORDS + layout.SURFACE_COLUMNS * n;
}

/**
 * The block of `spec` (validated already): header, then the columns years, θ, a, b, ρ, m, σ. SSVI slices also
 * carry their raw SVI equivalents (GJ section 4: a = θ(1 − ρ²)/2, b = θφ/2, m = −ρ/φ, σ = √(1 − ρ²)/φ).
 */
export function encodeSurface(layout: SurfaceLayout, spec: VolSurfaceSpec): Float64Array {
  const n = spec.slices.length;
  const block = new Float64Array(blockWords(layout, n));
  const put = (column: number, i: number, value: number) => {
    block[layout.SURFACE_HEADER_WORDS + column * n + i] = value;
  };
  const raw = spec.model === "svi" ? spec.slices : ssviSlices(spec);
  if (spec.model === "svi") block[layout.SURFACE_WORD_KIND] = layout.SURFACE_KIND_SVI;
  else {
    block[layout.SURFACE_WORD_KIND] = spec.phi.form === "heston" ? layout.SURFACE_KIND_SSVI_HESTON : layout.SURFACE_KIND_SSVI_POWER_LAW;
    block[layout.SURFACE_WORD_RHO] = spec.rho;
    block[layout.SURFACE_WORD_ETA] = spec.phi.form === "heston" ? spec.phi.lambda : spec.phi.eta;
    block[layout.SURFACE_WORD_GAMMA] = spec.phi.form === "heston" ? 0 : spec.phi.gamma;
  }
  block[layout.SURFACE_WORD_COUNT] = n;
  raw.forEach((s, i) => {
    put(layout.SURFACE_COLUMN_YEARS, i, s.years);
    put(layout.SURFACE_COLUMN_THETA, i, spec.model === "ssvi" ? spec.slices[i]!.theta : sviAtmVariance(s));
    put(layout.SURFACE_COLUMN_A, i, s.a);
    put(layout.SURFACE_COLUMN_B, i, s.b);
    put(layout.SURFACE_COLUMN_RHO, i, s.rho);
    put(layout.SURFACE_COLUMN_M, i, s.m);
    put(layout.SURFACE_COLUMN_SIGMA, i, s.sigma);
  });
  return block;
}

/** w(0) of a raw SVI smile: a + b(−ρm + √(m² + σ²)). */
export function sviAtmVariance(s: { a: number; b: number; rho: number; m: number; sigma: number }): number {
  return s.a + s.b * (-s.rho * s.m + Math.hypot(s.m, s.sigma));
}
