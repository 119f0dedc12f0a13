// How the demo page shows numbers (shared with test/browser.test.ts, which checks the visible text).
/** Fixed-point text for a table cell; −0.0000 is shown as 0.0000. */
export function formatNumber(value: number, digits: number): string {
  if (Number.isNaN(value)) return "—";
  const text = value.toFixed(digits);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/**
 * Implied vol as a percentage with 2 decimals. Without `status` 0 (ImpliedVolStatus.ok) it is "—": no vol
 * (NaN), or a price equal to its intrinsic value in double precision (vol 0, which says nothing of the smile).
 */
export function formatVol(vol: number, status = 0): string {
  return status !== 0 || Number.isNaN(vol) ? "—" : `${(vol * 100).toFixed(2)}%`;
}

/** Tooltip of a non-ok implied-vol cell, by ImpliedVolStatus code. */
export const VOL_STATUS_NOTES: Readonly<Record<number, string>> = {
  1: "price below intrinsic value: no implied vol",
  2: "price at or above its upper bound: no implied vol",
  3: "price equals intrinsic value in double precision: the time value is below rounding, vol 0",
};

/** The greek columns of the chain table, in order, with the decimals each is shown with. */
export const GREEK_COLUMNS = [
  { field: "price", label: "Price", digits: 4 },
  { field: "delta", label: "Δ", digits: 4 },
  { field: "gamma", label: "Γ", digits: 5 },
  { field: "vega", label: "Vega", digits: 3 },
  { field: "theta", label: "Θ /yr", digits: 3 },
  { field: "rho", label: "ρ", digits: 3 },
] as const;
