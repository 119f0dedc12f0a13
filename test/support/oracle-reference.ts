// The straightforward oracle the fast paths are checked against: the definitions as they read before per-print
// aggregates (an array of every observation pruned by splice; TWAP, move and IV-jump by walking the history).
import { invalidSnapshotField, type OracleField, type OracleSnapshot, type SpotVolOracle } from "../../pool/oracle.js";

/** Keeps every observation in an array; prunes like ManualOracle (horizon = newest − keepSeconds, lowered by pins). */
export class ReferenceOracle implements SpotVolOracle {
  readonly observations: OracleSnapshot[] = [];
  private readonly retained = new Map<object, number>();

  constructor(initial: OracleSnapshot, private readonly keepSeconds = 30 * 24 * 3600) {
    this.push(initial);
  }

  push(update: Partial<OracleSnapshot> & { timestamp: number }): OracleSnapshot {
    const last = this.observations[this.observations.length - 1];
    const next = { ...(last ?? {}), ...update } as OracleSnapshot;
    const bad = invalidSnapshotField(next);
    if (bad) throw new RangeError(`ManualOracle: invalid ${bad}`);
    if (last && next.timestamp < last.timestamp) throw new RangeError("ManualOracle: timestamp goes backwards");
    this.observations.push(next);
    let horizon = next.timestamp - this.keepSeconds;
    for (const from of this.retained.values()) horizon = Math.min(horizon, from);
    let drop = 0;
    while (drop < this.observations.length - 1 && this.observations[drop]!.timestamp < horizon) drop++;
    if (drop > 0) this.observations.splice(0, drop);
    return next;
  }

  retain(holder: object, fromSeconds: number | undefined): void {
    if (fromSeconds === undefined) this.retained.delete(holder);
    else this.retained.set(holder, fromSeconds);
  }

  latest(): OracleSnapshot {
    return this.observations[this.observations.length - 1]!;
  }

  history(sinceSeconds: number): readonly OracleSnapshot[] {
    return this.observations.filter((o) => o.timestamp >= sinceSeconds);
  }
}

/** The pieces of [now − window, now] each print holds (until the next print, the latest until now), non-empty ones only. */
function* pieces(prints: readonly OracleSnapshot[], windowSeconds: number, nowSeconds: number): Generator<{ print: OracleSnapshot; seconds: number }> {
  const start = nowSeconds - windowSeconds;
  for (let i = 0; i < prints.length; i++) {
    const from = Math.max(start, prints[i]!.timestamp);
    const to = Math.min(nowSeconds, i + 1 < prints.length ? prints[i + 1]!.timestamp : nowSeconds);
    if (to > from) yield { print: prints[i]!, seconds: to - from };
  }
}

/** The geometric TWAP by walking every print: exp(Σ ln x_i · |piece_i| / covered), the latest value when nothing is covered. */
export function referenceTwap(prints: readonly OracleSnapshot[], field: OracleField, windowSeconds: number, nowSeconds: number): number {
  const latest = prints[prints.length - 1]!;
  if (windowSeconds <= 0) return latest[field];
  let integral = 0;
  let covered = 0;
  for (const { print, seconds } of pieces(prints, windowSeconds, nowSeconds)) {
    integral += Math.log(print[field]) * seconds;
    covered += seconds;
  }
  return covered > 0 ? Math.exp(integral / covered) : latest[field];
}

/** Number of pieces the TWAP walk sums and the largest |ln x| among them (what its rounding error scales with). */
export function twapWork(prints: readonly OracleSnapshot[], field: OracleField, windowSeconds: number, nowSeconds: number): { pieces: number; maxLog: number } {
  let count = 0;
  let maxLog = 0;
  for (const { print } of pieces(prints, windowSeconds, nowSeconds)) {
    count++;
    maxLog = Math.max(maxLog, Math.abs(Math.log(print[field])));
  }
  return { pieces: count, maxLog };
}

/** Largest |ln(latest / x)| of `field` over the prints with timestamp ≥ since, by walking them. */
export function referenceMove(prints: readonly OracleSnapshot[], field: OracleField, sinceSeconds: number): number {
  const now = prints[prints.length - 1]![field];
  let worst = 0;
  for (const o of prints) if (o.timestamp >= sinceSeconds) worst = Math.max(worst, Math.abs(Math.log(now / o[field])));
  return worst;
}

/** ln(base vol now / then) of the oldest print since `sinceSeconds` beyond `threshold` (the IV-jump breaker's walk). */
export function referenceIvJump(prints: readonly OracleSnapshot[], sinceSeconds: number, threshold: number): number | undefined {
  const latest = prints[prints.length - 1]!;
  for (const o of prints) {
    if (o.timestamp < sinceSeconds) continue;
    const jump = Math.log(latest.baseVol / o.baseVol);
    if (Math.abs(jump) > threshold) return jump;
  }
  return undefined;
}
