// The record behind ManualOracle: observations in time order in rings, with aggregates updated per observation so
// that the pool's reads cost O(log n) whatever the length of the history (docs/oracle.md):
//   - cumulative integrals C_i = Σ_{j<i} ln x_j · (t_{j+1} − t_j) of ln spot and ln base vol, kept as a compensated
//     (Neumaier) pair hi + lo so that a difference C_b − C_a over a short window loses nothing to the size of C after
//     a year of prints; a geometric TWAP is two binary searches, a subtraction and the two partial intervals at its ends;
//   - suffix-extremum stacks (one for the minimum, one for the maximum of each field): the observations not followed
//     by a smaller (larger) one, so the extremum of every suffix of the record is the first stack entry inside it —
//     O(1) amortised per observation, one binary search per read, at most one entry per observation held.
// Pruning drops the oldest observations from every ring and stack at O(1) amortised each.
import type { OracleSnapshot } from "./oracle.js";
import { Ring } from "./ring.js";

/** A snapshot field the record aggregates. */
export type OracleField = "spot" | "baseVol";

/** Least and greatest value of a field over a set of observations. */
export interface FieldExtremes {
  min: number;
  max: number;
}

const numbers = (capacity: number) => new Float64Array(capacity);

/** The extremum of every suffix of a sequence: the entries not followed by one at least as good (`sign` 1: min, −1: max). */
class SuffixExtremum {
  private readonly seqs = new Ring<number>(numbers);
  private readonly values = new Ring<number>(numbers);

  constructor(private readonly sign: 1 | -1) {}

  add(seq: number, value: number): void {
    // An earlier value no better than this one is never again the extremum of a suffix that reaches it.
    while (this.values.length > 0 && this.sign * this.values.last() >= this.sign * value) {
      this.values.pop();
      this.seqs.pop();
    }
    this.seqs.push(seq);
    this.values.push(value);
  }

  /** The extremum over the observations numbered `fromSeq` and later (the caller knows there is one). */
  from(fromSeq: number): number {
    return this.values.at(this.seqs.search((s) => s < fromSeq));
  }

  /** Forgets the observations numbered before `seq` (pruned). */
  forget(seq: number): void {
    const n = this.seqs.search((s) => s < seq);
    this.seqs.dropOldest(n);
    this.values.dropOldest(n);
  }
}

/** The aggregates of one field: ln x per observation, the cumulative integral as hi + lo, the suffix extrema. */
class FieldAggregate {
  readonly ln = new Ring<number>(numbers);
  private readonly hi = new Ring<number>(numbers);
  private readonly lo = new Ring<number>(numbers);
  readonly min = new SuffixExtremum(1);
  readonly max = new SuffixExtremum(-1);

  /** Adds observation `seq` of value `x`, `dt` seconds after the previous one (ignored for the first). */
  add(seq: number, x: number, dt: number): void {
    if (this.ln.length === 0) {
      this.hi.push(0);
      this.lo.push(0);
    } else {
      // Neumaier's compensated sum: lo collects the rounding error of every addition to hi exactly (TwoSum).
      const hi = this.hi.last();
      const term = this.ln.last() * dt;
      const sum = hi + term;
      this.hi.push(sum);
      this.lo.push(this.lo.last() + (Math.abs(hi) >= Math.abs(term) ? hi - sum + term : term - sum + hi));
    }
    this.ln.push(Math.log(x));
    this.min.add(seq, x);
    this.max.add(seq, x);
  }

  /** ∫ ln x dt from the observation at position i to the one at position j ≥ i (Σ of the pieces between them). */
  integral(i: number, j: number): number {
    return this.hi.at(j) - this.hi.at(i) + (this.lo.at(j) - this.lo.at(i));
  }

  dropOldest(n: number, firstSeq: number): void {
    this.ln.dropOldest(n);
    this.hi.dropOldest(n);
    this.lo.dropOldest(n);
    this.min.forget(firstSeq);
    this.max.forget(firstSeq);
  }
}

/** Observations in time order (timestamps never go backwards) with their aggregates; never empty once appended to. */
export class OracleRecord {
  private readonly times = new Ring<number>(numbers);
  private readonly snapshots = new Ring<OracleSnapshot>((capacity) => new Array<OracleSnapshot>(capacity));
  private readonly fields: Record<OracleField, FieldAggregate> = { spot: new FieldAggregate(), baseVol: new FieldAggregate() };
  /** Number of the oldest observation held (observations are numbered from 0 in order of arrival). */
  private firstSeq = 0;

  /** Observations held. */
  get length(): number {
    return this.times.length;
  }

  /** The newest observation (the caller keeps length > 0). */
  latest(): OracleSnapshot {
    return this.snapshots.last();
  }

  /** Appends a checked observation whose timestamp is not before the newest one's. */
  append(s: OracleSnapshot): void {
    const seq = this.firstSeq + this.times.length;
    const dt = this.times.length > 0 ? s.timestamp - this.times.last() : 0;
    this.fields.spot.add(seq, s.spot, dt);
    this.fields.baseVol.add(seq, s.baseVol, dt);
    this.times.push(s.timestamp);
    this.snapshots.push(s);
  }

  /** Drops the observations with timestamp < `horizon`, always keeping the newest. */
  dropBefore(horizon: number): void {
    const n = Math.min(this.times.search((t) => t < horizon), this.times.length - 1);
    if (n <= 0) return;
    this.firstSeq += n;
    this.times.dropOldest(n);
    this.snapshots.dropOldest(n);
    for (const f of Object.values(this.fields)) f.dropOldest(n, this.firstSeq);
  }

  /** The observations with sinceSeconds ≤ timestamp ≤ untilSeconds, oldest first (a fresh array). */
  between(sinceSeconds: number, untilSeconds = Number.POSITIVE_INFINITY): OracleSnapshot[] {
    const from = this.times.search((t) => t < sinceSeconds);
    const to = this.times.search((t) => t <= untilSeconds, from);
    const out = new Array<OracleSnapshot>(to - from);
    for (let i = from; i < to; i++) out[i - from] = this.snapshots.at(i);
    return out;
  }

  /**
   * exp(∫ ln field dt / covered) over [fromSeconds, toSeconds] ∩ [oldest held, toSeconds], each observation holding
   * until the next and the newest until toSeconds; undefined when that covers no time (the definition of
   * timeWeightedGeometric, whose pieces this sums: the first and last partial intervals and the whole ones between).
   */
  twap(field: OracleField, fromSeconds: number, toSeconds: number): number | undefined {
    const a = Math.max(fromSeconds, this.times.at(0));
    const b = toSeconds;
    if (!(b > a)) return undefined;
    const f = this.fields[field];
    // ka, kb: the observations in force at a and at b (the last with timestamp ≤ a, ≤ b).
    const ka = this.times.search((t) => t <= a) - 1;
    const kb = this.times.search((t) => t <= b, ka) - 1;
    const integral = ka === kb
      ? f.ln.at(ka) * (b - a)
      : f.integral(ka + 1, kb) + f.ln.at(ka) * (this.times.at(ka + 1) - a) + f.ln.at(kb) * (b - this.times.at(kb));
    return Math.exp(integral / (b - a));
  }

  /** Least and greatest `field` over the observations with timestamp ≥ sinceSeconds; undefined when there are none. */
  extremes(field: OracleField, sinceSeconds: number): FieldExtremes | undefined {
    const p = this.times.search((t) => t < sinceSeconds);
    if (p === this.times.length) return undefined;
    const f = this.fields[field];
    return { min: f.min.from(this.firstSeq + p), max: f.max.from(this.firstSeq + p) };
  }
}
