// The pool's recent trade cash over the IV-impact window, for sizing quotes (quote.ts): a time-ordered list of
// (time, cash) with cumulative sums, pruned from the front as trades arrive, so the sum over any window ending now is
// a binary search and a subtraction instead of a walk over every series' recent trades. Ledger state (in the
// snapshot as its live entries); mutations go through the state's undo log.
import type { UndoLog } from "./undo.js";

export class FlowWindow {
  /** Trade times, non-decreasing. Entries before `head` are dead (left the window), kept until compaction. */
  times: number[] = [];
  cash: bigint[] = [];
  /** cum[i] = base + cash[0] + … + cash[i]. */
  cum: bigint[] = [];
  /** Sum of the cash of entries dropped by compaction (so cum stays a running total). */
  base = 0n;
  /** First live entry. */
  head = 0;

  /** Adds a trade's cash at `time` and drops the entries at or before `time − windowSeconds`. */
  add(undo: UndoLog, time: number, cash: bigint, windowSeconds: number): void {
    const last = this.cum.length > 0 ? this.cum[this.cum.length - 1]! : this.base;
    undo.push(this.times, time);
    undo.push(this.cash, cash);
    undo.push(this.cum, last + cash);
    const cut = this.firstAfter(time - windowSeconds);
    if (cut > this.head) undo.set(this, "head", cut);
    // Compact when the dead prefix is most of the arrays, so memory stays proportional to the window.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      undo.set(this, "base", this.cum[this.head - 1]!);
      undo.set(this, "times", this.times.slice(this.head));
      undo.set(this, "cash", this.cash.slice(this.head));
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

  /** Sum of the cash of entries with time > `now − windowSeconds`. */
  sumSince(now: number, windowSeconds: number): bigint {
    const n = this.cum.length;
    const from = this.firstAfter(now - windowSeconds);
    if (from >= n) return 0n;
    return this.cum[n - 1]! - (from > 0 ? this.cum[from - 1]! : this.base);
  }

  /** The live entries as "time:cash" (the snapshot's form). */
  entries(): string[] {
    const out: string[] = [];
    for (let i = this.head; i < this.times.length; i++) out.push(`${this.times[i]}:${this.cash[i]}`);
    return out;
  }

  /** The window holding `entries` (snapshot form), rebuilt outside any transaction. */
  static fromEntries(entries: readonly string[]): FlowWindow {
    const w = new FlowWindow();
    for (const entry of entries) {
      const [time, cash] = entry.split(":");
      w.times.push(Number(time));
      w.cash.push(BigInt(cash!));
      w.cum.push((w.cum.at(-1) ?? 0n) + BigInt(cash!));
    }
    return w;
  }
}
