// In-place changes that can be taken back: the mechanism behind "a refused operation changes nothing" at the cost of
// what the operation touches (instead of copying the whole state for a draft). Every mutation made through an
// UndoLog records its inverse; rollback() replays the inverses newest first; a savepoint marks a position to roll
// back to while keeping what came before it. Outside a transaction the log records nothing (replay, restores).
//
// Each inverse captures the previous value itself, so rolling back restores identities too: a Map entry deleted and
// restored is the same object, and an object field gets back the very value it had.

type Inverse = () => void;

/** Records the inverse of every mutation made through it while a transaction is open. */
export class UndoLog {
  private inverses: Inverse[] = [];
  private open = false;

  /** True while a transaction is open. */
  get active(): boolean {
    return this.open;
  }

  /** Opens a transaction (transactions do not nest: use savepoints inside one). */
  begin(): void {
    if (this.open) throw new Error("UndoLog: a transaction is already open");
    this.open = true;
    this.inverses.length = 0;
  }

  /** A position in the open transaction to roll back to. */
  savepoint(): number {
    return this.inverses.length;
  }

  /** Takes back every mutation since `savepoint` (the start of the transaction when omitted); the transaction stays open. */
  rollbackTo(savepoint = 0): void {
    for (let i = this.inverses.length - 1; i >= savepoint; i--) this.inverses[i]!();
    this.inverses.length = savepoint;
  }

  /** Takes back the whole transaction and closes it. */
  rollback(): void {
    this.rollbackTo(0);
    this.open = false;
  }

  /** Keeps every mutation and closes the transaction. */
  commit(): void {
    this.inverses.length = 0;
    this.open = false;
  }

  /** Records `inverse` for a mutation the caller makes itself (when none of the helpers fits). */
  record(inverse: Inverse): void {
    if (this.open) this.inverses.push(inverse);
  }

  /** `target[key] = value`, recorded. */
  set<T extends object, K extends keyof T>(target: T, key: K, value: T[K]): void {
    const previous = target[key];
    if (previous === value) return;
    target[key] = value;
    this.record(() => {
      target[key] = previous;
    });
  }

  /** `map.set(key, value)`, recorded (restoring the previous value or absence). */
  mapSet<K, V>(map: Map<K, V>, key: K, value: V): void {
    const had = map.has(key);
    const previous = map.get(key);
    map.set(key, value);
    this.record(() => {
      if (had) map.set(key, previous as V);
      else map.delete(key);
    });
  }

  /** `map.delete(key)`, recorded. Note: a restored key goes to the end of the map's insertion order. */
  mapDelete<K, V>(map: Map<K, V>, key: K): void {
    if (!map.has(key)) return;
    const previous = map.get(key) as V;
    map.delete(key);
    this.record(() => map.set(key, previous));
  }

  /**
   * Records the inverse of changes the caller makes to `map` itself: `keys[i]` had `previous[i]` (undefined: absent)
   * before the i-th change. One record for a batch (a settlement's thousands of payouts), restored newest first; the
   * caller fills both arrays as it changes the map, so whatever it did before a refusal is taken back.
   */
  restoreMap<K, V>(map: Map<K, V>, keys: readonly K[], previous: readonly (V | undefined)[]): void {
    this.record(() => {
      for (let i = keys.length - 1; i >= 0; i--) {
        const value = previous[i];
        if (value === undefined) map.delete(keys[i]!);
        else map.set(keys[i]!, value);
      }
    });
  }

  /** `array.push(item)`, recorded. */
  push<T>(array: T[], item: T): void {
    array.push(item);
    this.record(() => void array.pop());
  }

  /** `array.splice(index, deleteCount, ...items)`, recorded; returns the removed items. */
  splice<T>(array: T[], index: number, deleteCount: number, ...items: T[]): T[] {
    const removed = array.splice(index, deleteCount, ...items);
    this.record(() => void array.splice(index, items.length, ...removed));
    return removed;
  }
}
