// The fleet client's watchdog: gives up on calls when Redis stays away or no job finishes, and audits calls
// without news (picks up results whose note was lost, failures BullMQ recorded, and jobs Redis lost).
import type { FleetCall } from "./call.js";
import type { FleetConnection } from "./connection.js";
import { FleetConnectionError, FleetTimeoutError } from "./errors.js";
import type { FleetJobs } from "./jobs.js";
import { jobId, type FleetJobError as JobErrorNote } from "./protocol.js";

/** When the watchdog acts, ms. */
export interface WatchdogSettings {
  connectTimeoutMs: number;
  progressTimeoutMs: number;
  auditIntervalMs: number;
  queueName: string;
}

/** A failed job's reason as recorded by BullMQ: the worker's JSON for input errors, else plain text. */
export function parseFailedReason(reason: string | undefined): JobErrorNote {
  if (reason?.startsWith("{")) {
    try {
      const parsed = JSON.parse(reason) as JobErrorNote;
      if (parsed.kind === "input" || parsed.kind === "failed") return parsed;
    } catch {
      // not ours
    }
  }
  return { kind: "failed", message: reason ?? "unknown reason" };
}

/** Checks a call's outstanding jobs: picks up results and failures, and resubmits jobs Redis lost. */
async function audit(call: FleetCall, conn: FleetConnection, jobs: FleetJobs): Promise<void> {
  if (call.auditing || call.settled) return;
  call.auditing = true;
  try {
    const indices = [...call.outstanding];
    const exists = conn.redis.pipeline();
    for (const index of indices) exists.exists(call.outputKey(index));
    const found = (await conn.bounded(exists.exec(), "auditing jobs")) ?? [];
    const lost: number[] = [];
    for (let k = 0; k < indices.length && !call.settled; k++) {
      const index = indices[k]!;
      if (found[k]?.[1] === 1) {
        await jobs.collect(call, index);
        continue;
      }
      const state = await conn.bounded(conn.queue.getJobState(jobId(call.id, index)), "auditing jobs");
      if (state === "unknown") lost.push(index);
      else if (state === "failed") {
        const job = await conn.bounded(conn.queue.getJob(jobId(call.id, index)), "auditing jobs");
        jobs.jobFailed(call, index, parseFailedReason(job?.failedReason));
      }
    }
    if (call.kind === "monteCarlo" && lost.length === 0 && !call.settled) {
      await conn.bounded(conn.redis.set(call.inputKey(0), "1", "PX", jobs.ttlMs), "auditing jobs");
    }
    if (!call.settled) await jobs.submit(call, lost.filter((index) => call.outstanding.has(index)), true);
    call.lastNewsAt = Date.now();
  } catch {
    // Redis away: try again at the next tick.
  } finally {
    call.auditing = false;
  }
}

/** Starts the watchdog; returns its stop function. The timer never keeps the process alive. */
export function startWatchdog(conn: FleetConnection, jobs: FleetJobs, settings: WatchdogSettings): () => void {
  const { connectTimeoutMs, progressTimeoutMs, auditIntervalMs, queueName } = settings;
  let downSince: number | undefined;
  const tick = (): void => {
    const now = Date.now();
    if (conn.up) downSince = undefined;
    else downSince ??= now;
    for (const call of [...jobs.calls.values()]) {
      if (downSince !== undefined && now - downSince > connectTimeoutMs) {
        jobs.abandon(call, new FleetConnectionError(`Redis at ${conn.url} unreachable for ${now - downSince} ms; the call was abandoned`));
      } else if (now - call.lastProgressAt > progressTimeoutMs) {
        void jobs.fail(call, new FleetTimeoutError(`no job finished in ${progressTimeoutMs} ms on queue "${queueName}": is a \`pool2peer worker --redis …\` running?`));
      } else if (downSince === undefined && now - call.lastNewsAt >= auditIntervalMs) {
        void audit(call, conn, jobs);
      }
    }
  };
  const timer = setInterval(tick, Math.min(auditIntervalMs, 250));
  timer.unref();
  return () => clearInterval(timer);
}
