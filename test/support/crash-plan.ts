// The crash writer's plan (store-crash.ts), shared by the writer process and the test that checks it: how many events
// each commit appends, and when a snapshot follows. No test-runner imports: the writer process bundles this file.
import type { CommitMode } from "../../pool/store/sqlite-store.js";

/** The appends of the commit that starts after seq `head` (sizes in events): one per commit, 1-5 in group mode. */
export function commitPlan(head: number, mode: CommitMode): number[] {
  const size = (seq: number) => 1 + (Math.imul(seq + 1, 0x9e3779b1) >>> 0) % 120;
  if (mode === "each") return [size(head)];
  const plan: number[] = [];
  for (let seq = head, i = 0; i < 1 + (head % 5); i++) plan.push(size(seq)), (seq += plan[i]!);
  return plan;
}

/** Where the commit starting after seq `head` ends. */
export function commitEnd(head: number, mode: CommitMode): number {
  return commitPlan(head, mode).reduce((a, b) => a + b, head);
}

/** Whether the writer saves a snapshot after the commit ending at `seq`. */
export function snapshotAfter(seq: number): boolean {
  return seq % 7 === 0;
}
