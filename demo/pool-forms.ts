// The pool page's form plumbing: decimal text ⇄ bigint base units, and showing a refusal next to the form with the
// input it names marked. A PoolError names a pool field ("assets", "size", "limitPrice"); each panel maps those to
// its inputs, and a parse error names the input itself.
import { describeError, errorField } from "./pool-market.js";

/** A form input the page could not read: names the input (its id) and says what is wrong. */
export class FormInputError extends Error {
  constructor(readonly field: string, problem: string) {
    super(`INVALID_INPUT (${field}): ${problem}`);
    this.name = "FormInputError";
  }
}

/**
 * Parses decimal text ("1,250.5") into base units with `decimals` digits, exactly (no float on the way):
 * more digits than `decimals` are refused, not rounded.
 */
export function parseUnits(text: string, decimals: number, field: string): bigint {
  const t = text.replace(/[,_\s]/g, "");
  const m = /^(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[1] === "" && (m[2] ?? "") === "")) throw new FormInputError(field, `"${text}" is not a non-negative decimal number`);
  const frac = m[2] ?? "";
  if (frac.length > decimals) throw new FormInputError(field, `at most ${decimals} decimals`);
  return BigInt((m[1] || "0") + frac.padEnd(decimals, "0"));
}

/** Base units as decimal text with `decimals` digits, grouped by thousands, cut to `digits` decimals (truncated). */
export function formatUnitsText(units: bigint, decimals: number, digits = 2): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const scale = 10n ** BigInt(decimals);
  const whole = (abs / scale).toLocaleString("en-US");
  const frac = (abs % scale).toString().padStart(decimals, "0").slice(0, digits);
  return `${negative ? "−" : ""}${whole}${digits > 0 ? "." + frac : ""}`;
}

/** Parses a number input (strike): finite and > 0, or a FormInputError naming `field`. */
export function parsePositive(text: string, field: string): number {
  const v = Number(text.replace(/[,_\s]/g, ""));
  if (!Number.isFinite(v) || v <= 0 || text.trim() === "") throw new FormInputError(field, `"${text}" is not a number > 0`);
  return v;
}

/** Where a panel shows its outcome, and which of its inputs each pool field maps to. */
export interface Panel {
  result: HTMLElement;
  inputs: Record<string, HTMLElement>;
}

function clearMarks(panel: Panel): void {
  for (const el of Object.values(panel.inputs)) el.removeAttribute("aria-invalid");
  panel.result.classList.remove("error");
}

/**
 * Runs `work` for a panel: its text on success; on failure the error text ("CODE (field): problem") in the panel, the
 * input mapped from the error's field marked aria-invalid, and the error appended to the page log. Never rethrows:
 * the message is on the page, and `onError` sees every failure.
 */
export function runInPanel(panel: Panel, work: () => string, onError: (message: string) => void): boolean {
  clearMarks(panel);
  try {
    panel.result.textContent = work();
    return true;
  } catch (e) {
    const message = describeError(e);
    panel.result.textContent = message;
    panel.result.classList.add("error");
    const field = errorField(e);
    const input = field === undefined ? undefined : panel.inputs[field] ?? panel.inputs[field.split(".")[0]!];
    input?.setAttribute("aria-invalid", "true");
    if (input) panel.result.dataset.field = field;
    else delete panel.result.dataset.field;
    onError(message);
    return false;
  }
}
