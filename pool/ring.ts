// A double-ended ring buffer: append and drop at the back, drop at the front, read by position, all O(1)
// (amortised: the capacity doubles when full and halves when a quarter full, so memory stays within 4× of what is
// held and no operation copies more than it has amortised). The oracle's record and its extrema stacks live in rings.

/** Backing storage of a ring: a Float64Array for numbers, a plain array for objects. */
export type RingStorage<T> = { [index: number]: T; readonly length: number };

/** Smallest capacity a ring shrinks to (elements). */
const MIN_CAPACITY = 16;

/** A ring of `T` in storage made by `allocate(capacity)`; positions 0 … length − 1 run oldest to newest. */
export class Ring<T> {
  private items: RingStorage<T>;
  private head = 0;
  private mask: number;
  private count = 0;

  constructor(private readonly allocate: (capacity: number) => RingStorage<T>) {
    this.items = allocate(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
  }

  /** Number of elements held. */
  get length(): number {
    return this.count;
  }

  /** The element at `position` (0 = oldest); the caller keeps 0 ≤ position < length. */
  at(position: number): T {
    return this.items[(this.head + position) & this.mask]!;
  }

  /** The newest element; the caller keeps length > 0. */
  last(): T {
    return this.items[(this.head + this.count - 1) & this.mask]!;
  }

  /** Appends `value` as the newest element. */
  push(value: T): void {
    if (this.count === this.mask + 1) this.resize(2 * (this.mask + 1));
    this.items[(this.head + this.count) & this.mask] = value;
    this.count++;
  }

  /** Removes the newest element. */
  pop(): void {
    this.count--;
    this.shrinkIfSparse();
  }

  /** Removes the `n` oldest elements (0 ≤ n ≤ length). */
  dropOldest(n: number): void {
    this.head = (this.head + n) & this.mask;
    this.count -= n;
    this.shrinkIfSparse();
  }

  /** The first position in [from, length) whose element is not `before` (`before` holds on a prefix), else length. */
  search(before: (value: T) => boolean, from = 0): number {
    let lo = from;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.at(mid))) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private shrinkIfSparse(): void {
    const capacity = this.mask + 1;
    if (capacity > MIN_CAPACITY && this.count <= capacity / 4) this.resize(capacity / 2);
  }

  private resize(capacity: number): void {
    const items = this.allocate(capacity);
    for (let i = 0; i < this.count; i++) items[i] = this.at(i);
    this.items = items;
    this.head = 0;
    this.mask = capacity - 1;
  }
}
