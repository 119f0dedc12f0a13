// Assertions on PricingInputError shared by the pricer tests.
import { expect } from "vitest";
import { PricingInputError } from "../../bindings/index.js";

/** Runs `fn`, expects a PricingInputError (a RangeError) naming `field` and `index` in its properties and message. */
export function expectInputError(fn: () => unknown, field: string, index: number | undefined): PricingInputError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(PricingInputError);
  expect(caught).toBeInstanceOf(RangeError);
  const error = caught as PricingInputError;
  expect(error.field).toBe(field);
  expect(error.index).toBe(index);
  expect(error.message).toContain(index === undefined ? field : `${field}[${index}]`);
  return error;
}
