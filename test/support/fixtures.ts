// The golden files of test/fixtures/, each made by its checked-in generator there (make-*.py: mpmath, QuantLib).
import { readFileSync } from "node:fs";

/** The parsed JSON of test/fixtures/`name` (e.g. "bsm-golden.json"), typed by the caller. */
export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8")) as T;
}
