// A real MemoryEventStore that refuses its next append when told to (a full disk, a lost connection): the fault a
// durable store can raise, injected at the store's edge so everything above it runs for real.
import type { EventHeader } from "../../pool/event-schema.js";
import { MemoryEventStore } from "../../pool/store/memory-store.js";

export class FlakyStore<E extends EventHeader> extends MemoryEventStore<E> {
  /** The reason the next append fails with, or undefined (appends go through). */
  failNext: string | undefined;

  override append(events: readonly E[]): void {
    const reason = this.failNext;
    if (reason !== undefined) {
      this.failNext = undefined;
      throw new Error(reason);
    }
    super.append(events);
  }
}
