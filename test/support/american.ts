// The American references of test/fixtures/american-golden.json (made by test/fixtures/make-american-golden.py
// with QuantLib 1.29) as option batches, shared by the American pricer, property and worker-pool tests.
import { readFixture } from "./fixtures.js";
import type { OptionBatch } from "../../bindings/index.js";

/** [type (+1 call, −1 put), spot, strike, expiry (years), vol, rate, dividend]. */
export type AmericanRow = [number, number, number, number, number, number, number];

interface Summary { rms: number; max: number }
export interface AmericanGolden {
  generator: string;
  machine: { cpu: string; cores: number; date: string };
  grid: {
    axes: { spot: number; strike: number[]; days: number[]; vol: number[]; rate: number[]; dividend: number[]; type: number[] };
    referenceScheme: string;
    reference: number[];
    quantlibFast: number[];
    agreement: { checkScheme: Summary & { scheme: string; options: number }; highPrecisionScheme: Summary };
    quantlib: { fast: Summary & { microsecondsPerOption: number }; accurate: Summary & { microsecondsPerOption: number } };
  };
  crosscheck: { rows: { index: number; fd: number; reference: number }[]; rms: number; max: number };
  special: { rows: { label: string; input: AmericanRow; reference: number; method: string; check?: number; quantlibFd?: number }[] };
}

export const americanGolden = readFixture<AmericanGolden>("american-golden.json");

/** The grid's options in the fixture's order (type, strike, days, vol, rate, dividend; the last fastest). */
export function gridRows(): AmericanRow[] {
  const a = americanGolden.grid.axes;
  const rows: AmericanRow[] = [];
  for (const w of a.type) for (const K of a.strike) for (const days of a.days) for (const vol of a.vol) {
    for (const r of a.rate) for (const q of a.dividend) rows.push([w, a.spot, K, days / 365, vol, r, q]);
  }
  return rows;
}

/** Rows as an OptionBatch of typed columns. */
export function batchOf(rows: readonly AmericanRow[]): OptionBatch & { type: Int8Array } {
  const column = (k: number) => Float64Array.from(rows, (row) => row[k]!);
  return {
    type: Int8Array.from(rows, (row) => row[0]), spot: column(1), strike: column(2), expiry: column(3),
    vol: column(4), rate: column(5), dividend: column(6),
  };
}

/** RMS and largest absolute difference between `values` and `reference`, with the index of the largest. */
export function errors(values: ArrayLike<number>, reference: ArrayLike<number>): { rms: number; max: number; at: number } {
  let sum = 0;
  let max = 0;
  let at = -1;
  for (let i = 0; i < reference.length; i++) {
    const e = Math.abs(values[i]! - reference[i]!);
    sum += e * e;
    if (!(e <= max)) {
      max = e;
      at = i;
    }
  }
  return { rms: Math.sqrt(sum / reference.length), max, at };
}
