// An ordered set over a comparator: an AVL tree (Adelson-Velsky & Landis 1962; heights of siblings differ by at
// most one, so the height stays ≤ 1.44·log2(n + 2)). Insert, delete, first and the successor of any value cost
// O(log n); walking k values in order costs O(k + log n). The comparator must be a total order that does not change
// while a value is in the set (the book keys orders by price then id, which never change while they rest).
// The set knows nothing of transactions: a caller that must take a change back records the inverse itself.

/** Negative when a sorts before b, positive after, 0 for the same element. */
export type Compare<T> = (a: T, b: T) => number;

interface Node<T> {
  value: T;
  left: Node<T> | undefined;
  right: Node<T> | undefined;
  height: number;
}

const heightOf = <T>(n: Node<T> | undefined): number => (n ? n.height : 0);

function update<T>(n: Node<T>): Node<T> {
  n.height = 1 + Math.max(heightOf(n.left), heightOf(n.right));
  return n;
}

function rotateRight<T>(n: Node<T>): Node<T> {
  const l = n.left!;
  n.left = l.right;
  l.right = update(n);
  return update(l);
}

function rotateLeft<T>(n: Node<T>): Node<T> {
  const r = n.right!;
  n.right = r.left;
  r.left = update(n);
  return update(r);
}

/** Restores the AVL balance at `n` after one of its subtrees changed height by one. */
function balance<T>(n: Node<T>): Node<T> {
  update(n);
  const skew = heightOf(n.left) - heightOf(n.right);
  if (skew > 1) {
    if (heightOf(n.left!.left) < heightOf(n.left!.right)) n.left = rotateLeft(n.left!);
    return rotateRight(n);
  }
  if (skew < -1) {
    if (heightOf(n.right!.right) < heightOf(n.right!.left)) n.right = rotateRight(n.right!);
    return rotateLeft(n);
  }
  return n;
}

/** Removes the smallest node of a non-empty subtree; returns the new subtree and the removed node. */
function removeMin<T>(n: Node<T>): [Node<T> | undefined, Node<T>] {
  if (!n.left) return [n.right, n];
  const [left, min] = removeMin(n.left);
  n.left = left;
  return [balance(n), min];
}

/** A set of distinct values kept in `compare` order. */
export class OrderedSet<T> {
  private root: Node<T> | undefined;
  private count = 0;

  constructor(private readonly compare: Compare<T>) {}

  /** Number of values. */
  get size(): number {
    return this.count;
  }

  /** Levels of the tree: what a lookup walks, at most 1.4405·log2(size + 2) − 0.3277 (the AVL bound). */
  get height(): number {
    return heightOf(this.root);
  }

  /** Adds `value`; false (and no change) when an equal value is already there. */
  add(value: T): boolean {
    const before = this.count;
    this.root = this.insert(this.root, value);
    return this.count > before;
  }

  /** Removes the value equal to `value`; false when there is none. */
  delete(value: T): boolean {
    const before = this.count;
    this.root = this.remove(this.root, value);
    return this.count < before;
  }

  /** The smallest value, or undefined when empty. */
  first(): T | undefined {
    let n = this.root;
    if (!n) return undefined;
    while (n.left) n = n.left;
    return n.value;
  }

  /** The smallest value strictly after `value` (which need not be in the set), or undefined. */
  after(value: T): T | undefined {
    let n = this.root;
    let found: T | undefined;
    while (n) {
      if (this.compare(value, n.value) < 0) {
        found = n.value;
        n = n.left;
      } else n = n.right;
    }
    return found;
  }

  /** The values in order (the set must not change while the iteration runs). */
  *[Symbol.iterator](): IterableIterator<T> {
    const stack: Node<T>[] = [];
    let n = this.root;
    while (n || stack.length > 0) {
      while (n) {
        stack.push(n);
        n = n.left;
      }
      const top = stack.pop()!;
      yield top.value;
      n = top.right;
    }
  }

  private insert(n: Node<T> | undefined, value: T): Node<T> {
    if (!n) {
      this.count++;
      return { value, left: undefined, right: undefined, height: 1 };
    }
    const c = this.compare(value, n.value);
    if (c === 0) return n;
    if (c < 0) n.left = this.insert(n.left, value);
    else n.right = this.insert(n.right, value);
    return balance(n);
  }

  private remove(n: Node<T> | undefined, value: T): Node<T> | undefined {
    if (!n) return undefined;
    const c = this.compare(value, n.value);
    if (c < 0) n.left = this.remove(n.left, value);
    else if (c > 0) n.right = this.remove(n.right, value);
    else {
      this.count--;
      if (!n.left || !n.right) return n.left ?? n.right;
      const [right, min] = removeMin(n.right);
      min.left = n.left;
      min.right = right;
      return balance(min);
    }
    return balance(n);
  }
}
