// Sums over the IV-impact window, for sizing and pricing quotes (quote.ts): a time-ordered list of (time, value)
// with cumulative sums, pruned from the front as trades arrive, so the sum over any window ending now is a binary
// search and a subtraction instead of a walk over the window's trades. The pool keeps one for its recent trade cash
// (all series) and one per series and side for its recent collateral (which also carries each trade's cash, for the
// snapshot). Ledger state (in the snapshot as its live entries); mutations go through the state's undo log.
import type { UndoLog } from "./undo.js";

export class FlowWindow {
  /** Trade times, non-decreasing. Entries before `head` are dead (left the window), kept until compaction. */
  times: number[] = [];
  /** The summed value of each entry. */
  values: bigint[] = [];
  /** A second value carried with each entry, not summed (undefined for a window without one). */
  carried: bigint[] | undefined;
  /** cum[i] = base + values[0] + … + values[i]. */
  cum: bigint[] = [];
  /** Sum of the values of entries dropped by compaction (so cum stays a running total). */
  base = 0n;
  /** First live entry. */
  head = 0;

  /**
   * @param carries whether each entry carries a second value (`add`'s `carry`).
   * @param minDead dead entries before a compaction is considered (small windows compact sooner: memory stays near
   *   the live entries; the copy is paid for by the dead entries it drops, O(1) per add amortised).
   */
  constructor(carries = false, private readonly minDead = 1024) {
    if (carries) this.carried = [];
  }

  /** Adds `value` (and `carry`) at `time` and drops the entries at or before `time − windowSeconds`. */
  add(undo: UndoLog, time: number, value: bigint, windowSeconds: number, carry = 0n): void {
    const last = this.cum.length > 0 ? this.cum[this.cum.length - 1]! : this.base;
    undo.push(this.times, time);
    undo.push(this.values, value);
    if (this.carried) undo.push(this.carried, carry);
    undo.push(this.cum, last + value);
    const cut = this.firstAfter(time - windowSeconds);
    if (cut > this.head) undo.set(this, "head", cut);
    // Compact when the dead prefix is most of the arrays, so memory stays proportional to the window.
    if (this.head > this.minDead && this.head * 2 > this.times.length) {
      undo.set(this, "base", this.cum[this.head - 1]!);
      undo.set(this, "times", this.times.slice(this.head));
      undo.set(this, "values", this.values.slice(this.head));
      if (this.carried) undo.set(this, "carried", this.carried.slice(this.head));
      undo.set(this, "cum", this.cum.slice(this.head));
      undo.set(this, "head", 0);
    }
  }

  /** Index of the first live entry with time > `t` (times.length when none). */
  private firstAfter(t: number): number {
    let lo = this.head;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! > t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Sum of the values of entries with time > `now − windowSeconds`. */
  sumSince(now: number, windowSeconds: number): bigint {
    const n = this.cum.length;
    const from = this.firstAfter(now - windowSeconds);
    if (from >= n) return 0n;
    return this.cum[n - 1]! - (from > 0 ? this.cum[from - 1]! : this.base);
  }

  /** The live entries as "time:value" or "time:value:carry" (the snapshot's form). */
  entries(): string[] {
    const out: string[] = [];
    for (let i = this.head; i < this.times.length; i++)
      out.push(this.carried ? `${this.times[i]}:${this.values[i]}:${this.carried[i]}` : `${this.times[i]}:${this.values[i]}`);
    return out;
  }

  /** The window holding `entries` (snapshot form), rebuilt outside any transaction. */
  static fromEntries(entries: readonly string[], carries = false, minDead = 1024): FlowWindow {
    const w = new FlowWindow(carries, minDead);
    for (const entry of entries) {
      const [time, value, carry] = entry.split(":");
      w.times.push(Number(time));
      w.values.push(BigInt(value!));
      w.carried?.push(BigInt(carry!));
      w.cum.push((w.cum.at(-1) ?? 0n) + BigInt(value!));
    }
    return w;
  }
}
