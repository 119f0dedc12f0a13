// Crash safety of SqliteEventStore: a writer process appending commits (one transaction each, or group commit) is
// SIGKILLed at a random moment, 20 times in a row on one file; after each kill the store is reopened for writing and
// checked (support/store-crash.ts checkAfterCrash): lock free, file sound, log contiguous with a valid chain, every
// acknowledged event and snapshot there, the head at a commit boundary (nothing half-applied). The kill moments come
// from a seeded generator (the seed is in the test name), so a failure can be replayed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededUniform } from "../bench/inputs.js";
import type { CommitMode } from "../pool/store/index.js";
import { bundleScript, projectModule, runChild } from "./support/child.js";
import { addAcks, checkAfterCrash, crashWriterSource, SyntheticChain, type Acknowledged } from "./support/store-crash.js";

const SEED = 20_260_116;
const KILLS = 20;
let dir: string;
let writer: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pool2peer-store-crash-"));
  writer = await bundleScript("store-crash-writer", crashWriterSource({
    store: projectModule("pool/store/index.ts"), events: projectModule("bench/store-events.ts"), crash: projectModule("test/support/crash-plan.ts"),
  }));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (writer) rmSync(writer, { force: true });
});

describe("SqliteEventStore under SIGKILL", () => {
  it(`keeps every acknowledged commit and no half commit over ${KILLS} kills (seed ${SEED})`, async () => {
    const path = join(dir, "crash.db");
    const random = seededUniform(SEED);
    const chain = new SyntheticChain();
    let acked: Acknowledged = { seq: 0, snapshot: 0 };
    const modes: Record<CommitMode, number> = { each: 0, group: 0 };
    let unacknowledgedKept = 0; // kills after a commit returned but before its ack was read: the commit must stay whole
    for (let kill = 0; kill < KILLS; kill++) {
      const mode: CommitMode = kill % 2 === 0 ? "each" : "group";
      const killAfter = { acks: 1 + Math.floor(random() * 30), delayMs: Math.floor(random() * 20) };
      const run = await runChild(writer, [path, mode], { killAfter });
      expect(run.signal, `the writer must be killed, not exit (${run.stderr})`).toBe("SIGKILL");
      acked = addAcks(acked, run.acks);
      const head = checkAfterCrash(path, mode, acked, chain);
      if (head > acked.seq) unacknowledgedKept++;
      // A commit seen after a restart is durable from then on: the next run starts at it.
      acked = { ...acked, seq: head };
      modes[mode] += run.acks.length;
    }
    expect(acked.seq).toBeGreaterThan(KILLS * 10);
    expect(modes.each).toBeGreaterThan(0);
    expect(modes.group).toBeGreaterThan(0);
    console.log(`store crash test: ${KILLS} kills, ${modes.each} + ${modes.group} acknowledged commits (each + group), head seq ${acked.seq}, ${unacknowledgedKept} unacknowledged commits found whole`);
  }, 300_000);
});
