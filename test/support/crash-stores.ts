// Stores of one "process" for fault tests of a pool and its book on separate stores: real MemoryEventStores that count
// the appends of the whole process and, at the one chosen, either refuse it (the store is as before and the process
// goes on: a full disk) or crash (that append and every later one, of either store, never happen: the process died).
// After a crash the test reopens from what the stores hold, as a restart would.
import type { EventHeader } from "../../pool/event-schema.js";
import { MemoryEventStore } from "../../pool/store/memory-store.js";

/** The appends of one process: which one fails, and how. */
export class Process {
  /** Appends so far (of every store of the process). */
  appends = 0;
  dead = false;
  constructor(readonly failAt = Number.POSITIVE_INFINITY, readonly fault: "refuse" | "crash" = "refuse") {}

  /** Called before each append: throws when this one fails. */
  next(): void {
    if (this.dead) throw new Error("the process has died");
    const n = ++this.appends;
    if (n !== this.failAt) return;
    if (this.fault === "crash") this.dead = true;
    throw new Error(this.fault === "crash" ? "crash" : "disk full");
  }
}

/** A MemoryEventStore whose appends go through its process (see Process). */
export class ProcessStore<E extends EventHeader> extends MemoryEventStore<E> {
  constructor(readonly process: Process) {
    super();
  }

  override append(events: readonly E[]): void {
    if (events.length === 0) return;
    this.process.next();
    super.append(events);
  }

  /** A fresh store holding what this one holds (the restart's view of the file). */
  reopened(): MemoryEventStore<E> {
    const copy = new MemoryEventStore<E>();
    const events = this.read(1, this.head().seq);
    for (let i = 0; i < events.length; i += 1024) copy.append(events.slice(i, i + 1024));
    const snap = this.latestSnapshot();
    if (snap) copy.saveSnapshot(snap);
    return copy;
  }
}
