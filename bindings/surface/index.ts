// Public surface of the vol-surface layer (bindings/index.ts re-exports it).
export { VolSurface } from "./vol-surface.js";
export { fitVolSurface } from "./fit.js";
export { guardVolSurface, timeWeightedVolGrid, type GuardOptions, type SurfaceObservation } from "./guard.js";
export { CHECK_TOLERANCE, DEFAULT_GRID_POINTS } from "./check.js";
export { HESTON_THETA_PHI2_MAX, ssviButterflyMargins } from "./ssvi.js";
export * from "./types.js";
