// Two writers (issue 15, item 13): a second writer on one journal — in this process or another — is refused with
// JournalError LOCKED, so the journal stays openable; a writer that died (SIGKILL, even as an unreaped zombie) does
// not keep the lock; writers racing for one journal never hold it at the same time.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricer, type Pricer } from "../bindings/index.js";
import { FileJournal, JournalError, openJournaledPool } from "../pool/journal/index.js";
import { bundleScript, imports, operate, poolConfig } from "./support/journal.js";

let dir: string;
let pricer: Pricer;
let writer: string;
let files = 0;
const freshPath = (): string => join(dir, `journal-${files++}.jsonl`);

// A writer process: waits until the unix time argv[4] ms (so that racers start together), opens the journal for
// writing, says "held <pid> <ms>" (or "refused <code> <message>"), holds it for argv[3] ms (0: until stdin ends),
// then closes and says "released <ms>".
const WRITER = `
  ${imports({ journal: "FileJournal" })}
  const [path, holdMs, startAt] = process.argv.slice(2);
  while (Date.now() < Number(startAt)) {}
  try {
    const { journal } = FileJournal.open(path);
    process.stdout.write("held " + process.pid + " " + Date.now() + "\\n");
    const release = () => { const at = Date.now(); journal.close(); process.stdout.write("released " + at + "\\n"); process.exit(0); };
    if (Number(holdMs) > 0) setTimeout(release, Number(holdMs));
    else { process.stdin.resume(); process.stdin.on("end", release); }
  } catch (e) {
    process.stdout.write("refused " + e.code + " " + e.message + "\\n");
  }
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pool2peer-journal-lock-"));
  pricer = await createPricer();
  writer = await bundleScript(dir, "writer", WRITER);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A running writer process and its stdout lines as they come. */
function startWriter(path: string, options: { holdMs?: number; startAt?: number; shell?: boolean } = {}): { child: ChildProcess; lines: () => string[]; line: (n: number) => Promise<string> } {
  const { holdMs = 0, startAt = 0, shell = false } = options;
  const args = [writer, path, String(holdMs), String(startAt)];
  // Through a shell that execs `sleep`, the writer's parent never reaps it: once killed, it stays a zombie.
  const child = shell
    ? spawn("sh", ["-c", `"${process.execPath}" ${args.map((a) => `"${a}"`).join(" ")} & exec sleep 60`], { stdio: ["ignore", "pipe", "inherit"] })
    : spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
  const seen: string[] = [];
  let buffered = "";
  const waiters: (() => void)[] = [];
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    seen.push(...parts);
    waiters.splice(0).forEach((wake) => wake());
  });
  const line = async (n: number): Promise<string> => {
    while (seen.length <= n) await new Promise<void>((wake) => waiters.push(wake));
    return seen[n]!;
  };
  return { child, lines: () => seen, line };
}

const exited = (child: ChildProcess): Promise<void> => new Promise((done) => (child.exitCode !== null || child.signalCode !== null ? done() : child.once("exit", () => done())));

function lockedError(run: () => unknown): JournalError {
  try {
    run();
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(JournalError);
    expect((e as JournalError).code).toBe("LOCKED");
    return e as JournalError;
  }
  throw new Error("the second writer was not refused");
}

describe("one writer per journal", () => {
  it("refuses a second writer in the same process; readers may open; closing releases the lock", () => {
    const path = freshPath();
    const first = openJournaledPool(poolConfig(pricer), path);
    operate(first.pool, 0);
    first.journal.sync(first.pool);
    expect(lockedError(() => FileJournal.open(path)).message).toMatch(/this process \(pid \d+\)/);
    const reader = FileJournal.open(path, { readOnly: true });
    expect(reader.events).toEqual(first.pool.events);
    reader.journal.close();
    operate(first.pool, 1);
    first.journal.sync(first.pool);
    first.journal.close();
    const second = openJournaledPool(poolConfig(pricer), path);
    expect(second.pool.snapshot()).toEqual(first.pool.snapshot());
    second.journal.close();
    expect(readdirSync(dir)).not.toContain(`${path.split("/").pop()}.lock`); // the released lock leaves nothing
  });

  it("refuses a writer in another process, both ways, and the journal stays openable with every event", async () => {
    const path = freshPath();
    const parent = openJournaledPool(poolConfig(pricer), path);
    for (let step = 0; step < 4; step++) operate(parent.pool, step);
    parent.journal.sync(parent.pool);
    const refused = startWriter(path);
    expect(await refused.line(0)).toMatch(new RegExp(`^refused LOCKED .*pid ${process.pid}\\b`));
    await exited(refused.child);
    parent.journal.close();

    const holder = startWriter(path);
    const [, pid] = (await holder.line(0)).split(" ");
    expect(lockedError(() => FileJournal.open(path)).message).toContain(`pid ${pid} `);
    expect(FileJournal.open(path, { readOnly: true }).events).toEqual(parent.pool.events);
    holder.child.stdin!.end();
    expect(await holder.line(1)).toMatch(/^released/);
    await exited(holder.child);
    const again = openJournaledPool(poolConfig(pricer), path);
    again.journal.close();
    expect(again.pool.snapshot()).toEqual(parent.pool.snapshot());
  });

  it("a SIGKILLed writer's lock is stale: the next writer takes it", async () => {
    const path = freshPath();
    const holder = startWriter(path);
    expect(await holder.line(0)).toMatch(/^held/);
    holder.child.kill("SIGKILL");
    await exited(holder.child);
    expect(readdirSync(`${path}.lock`)).toHaveLength(1); // the dead writer's entry is still there
    const { journal } = FileJournal.open(path);
    expect(readdirSync(`${path}.lock`)).toHaveLength(1); // and now it is ours
    journal.close();
  });

  it("a killed writer that is still a zombie (not reaped by its parent) holds no lock", async () => {
    const path = freshPath();
    const shell = startWriter(path, { shell: true });
    const [, pid] = (await shell.line(0)).split(" ");
    process.kill(Number(pid), "SIGKILL");
    const state = (): string => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[0]!;
    while (state() !== "Z") await new Promise((wake) => setTimeout(wake, 10));
    const { journal } = FileJournal.open(path);
    journal.close();
    shell.child.kill("SIGKILL");
    await exited(shell.child);
  });

  it("judges a left-over entry by its fields: a reused pid (other start time) or a previous boot is stale; another pid namespace is refused, naming the entry", () => {
    const path = freshPath();
    const probe = FileJournal.open(path);
    const [mine] = readdirSync(`${path}.lock`);
    probe.journal.close();
    // writer + host + boot id + pid namespace + pid + start time + nonce, each URI-encoded
    const fields = mine!.split("+");
    const leftOver = (field: number, value: string): string => {
      const entry = join(`${path}.lock`, fields.map((f, i) => (i === field ? encodeURIComponent(value) : i === 6 ? "left-over" : f)).join("+"));
      mkdirSync(`${path}.lock`, { recursive: true });
      writeFileSync(entry, "");
      return entry;
    };
    for (const [field, value] of [[5, "1"], [2, "00000000-0000-0000-0000-000000000000"]] as const) {
      const entry = leftOver(field, value);
      FileJournal.open(path).journal.close();
      expect(existsSync(entry)).toBe(false);
    }
    const foreign = leftOver(3, "pid:[1]");
    expect(lockedError(() => FileJournal.open(path)).message).toContain(`liveness cannot be checked from here; if no such writer runs, delete ${foreign}`);
    rmSync(foreign);
    const live = leftOver(6, "another-nonce"); // this very process, still running
    expect(lockedError(() => FileJournal.open(path)).message).toContain(`this process (pid ${process.pid})`);
    rmSync(live);
    FileJournal.open(path).journal.close();
  });

  it("writers racing for one journal, just after its writer was SIGKILLed, never hold it at the same time", async () => {
    for (let round = 0; round < 4; round++) {
      const path = freshPath();
      const crashed = startWriter(path);
      await crashed.line(0);
      crashed.child.kill("SIGKILL");
      await exited(crashed.child);
      const startAt = Date.now() + 700; // after the three have loaded
      const racers = Array.from({ length: 3 }, () => startWriter(path, { holdMs: 300, startAt }));
      await Promise.all(racers.map((r) => exited(r.child)));
      const held = racers.flatMap(({ lines }) => {
        const [first, second] = lines();
        if (first!.startsWith("refused")) {
          expect(first).toMatch(/^refused LOCKED /);
          return [];
        }
        return [[Number(first!.split(" ")[2]), Number(second!.split(" ")[1])] as const];
      });
      held.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < held.length; i++) expect(held[i]![0]).toBeGreaterThanOrEqual(held[i - 1]![1]);
    }
  }, 60_000);
});
