// One writer per journal. Node has no flock, so the lock is a directory `<journal>.lock/` in which each writer
// creates an entry named after itself (host, boot id, pid namespace, pid, the process's start time, a nonce), then
// lists the directory: any other live entry means another writer, and the newcomer removes its own entry and is
// refused. Two writers that start at once may both be refused, but both can never proceed: each creates its entry
// before it lists, so the later of the two listings sees the other's entry. An entry whose process has died
// (SIGKILL, power loss) is stale and removed by the next writer; its name is unique, so removing it cannot remove
// a live writer's. A process is dead when: its boot id differs (a previous boot of this host); `kill(pid, 0)` finds
// no such process; /proc says it is a zombie; or its start time differs (the pid was reused).
//
// Limits: liveness is checked only for an entry of this host and pid namespace (os.hostname(), /proc/self/ns/pid).
// Another host's entry (a shared network file system) or another container's is refused as held, and the error
// names the entry to delete once no such writer runs. The lock guards one path: a hard link or a bind mount of the
// same file is not seen (symbolic links are resolved). Without /proc (not Linux), pid reuse can make a stale entry
// look live: refused, never the reverse.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmdirSync, unlinkSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { JournalError } from "./errors.js";

/** Who holds (or held) a lock entry. */
interface Holder {
  host: string;
  boot: string;
  pidNs: string;
  pid: number;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22); "" without /proc. */
  start: string;
}

const ENTRY_PREFIX = "writer";
let nonce = 0;
let self: Holder | undefined;

/** An acquired writer lock; `release` gives it up. */
export class WriterLock {
  private constructor(private readonly dir: string, private readonly entry: string) {}

  /** Takes the writer lock of the journal at `path`; throws JournalError LOCKED if another live writer holds it. */
  static acquire(path: string): WriterLock {
    const dir = `${canonical(path)}.lock`;
    const me = identity();
    const entry = [ENTRY_PREFIX, me.host, me.boot, me.pidNs, String(me.pid), me.start, `${Date.now()}-${nonce++}`].map(encodeURIComponent).join("+");
    createEntry(dir, entry);
    const lock = new WriterLock(dir, entry);
    try {
      for (const name of readdirSync(dir)) {
        const holder = name === entry ? undefined : parseEntry(name);
        if (holder === undefined) continue;
        const state = liveness(holder, me);
        if (state === "dead") removeIfPresent(join(dir, name));
        else throw new JournalError("LOCKED", path, heldMessage(holder, me, state, join(dir, name)));
      }
    } catch (e) {
      lock.release();
      throw e;
    }
    return lock;
  }

  /** Removes this writer's entry (and the lock directory once empty). Idempotent. */
  release(): void {
    removeIfPresent(join(this.dir, this.entry));
    try {
      rmdirSync(this.dir);
    } catch {
      // Another writer's entry is in it, or it is gone already: either way the directory is not ours to remove.
    }
  }
}

/** The journal's path with its directory's symbolic links resolved, so every name of one file shares one lock. */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return join(realpathSync(dirname(path)), basename(path));
  }
}

/** Creates the entry; retries when a releasing writer removed the (then empty) directory in between. */
function createEntry(dir: string, entry: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(dir); // not { recursive: true }, which reports EROFS as ENOENT (Node 20)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    try {
      closeSync(openSync(join(dir, entry), "wx"));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" || attempt >= 10) throw e;
    }
  }
}

function parseEntry(name: string): Holder | undefined {
  const parts = name.split("+").map(decodeURIComponent);
  if (parts.length !== 7 || parts[0] !== ENTRY_PREFIX) return undefined;
  const [, host, boot, pidNs, pid, start] = parts as [string, string, string, string, string, string];
  if (!/^[1-9][0-9]{0,9}$/.test(pid)) return undefined; // kill(0 or -n) would signal a process group
  return { host, boot, pidNs, pid: Number(pid), start };
}

/** "dead", "alive", or "unknown" (another host or pid namespace: not checkable from here). */
function liveness(h: Holder, me: Holder): "dead" | "alive" | "unknown" {
  if (h.host !== me.host) return "unknown";
  if (h.boot !== "" && me.boot !== "" && h.boot !== me.boot) return "dead";
  if (h.pidNs !== me.pidNs) return "unknown";
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return "dead";
  }
  if (me.start === "") return "alive"; // no /proc: kill(pid, 0) is all there is
  const stat = procStat(h.pid);
  if (stat === undefined || stat.state === "Z" || stat.state === "X") return "dead";
  return stat.start === h.start ? "alive" : "dead";
}

function heldMessage(h: Holder, me: Holder, state: "alive" | "unknown", entry: string): string {
  const who = h.pid === me.pid && h.host === me.host && h.pidNs === me.pidNs ? `this process (pid ${h.pid})` : `pid ${h.pid} on ${h.host}`;
  if (state === "alive") return `another writer holds the journal: ${who}; close it first, or open with { readOnly: true } to read`;
  return `another writer holds the journal: ${who}, in another host or pid namespace whose liveness cannot be checked from here; if no such writer runs, delete ${entry}`;
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}

/** State and start time (clock ticks since boot) of a process from /proc/<pid>/stat; undefined if it is gone. */
function procStat(pid: number | "self"): { state: string; start: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields count from the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0] ?? "", start: fields[19] ?? "" };
}

function readOr(read: () => string): string {
  try {
    return read().trim();
  } catch {
    return "";
  }
}

/** This process as a lock holder (computed once). */
function identity(): Holder {
  self ??= {
    host: hostname(),
    boot: readOr(() => readFileSync("/proc/sys/kernel/random/boot_id", "utf8")),
    pidNs: readOr(() => readlinkSync("/proc/self/ns/pid")),
    pid: process.pid,
    start: procStat("self")?.start ?? "",
  };
  return self;
}
