// The `pool2peer worker` command: a fleet worker serving pricing jobs from Redis (fleet/worker.ts).
// Loaded lazily so that other commands do not pull in bullmq and ioredis.
import { importOptional, MissingDependencyError } from "../bindings/optional-dependency.js";
import type { CliCommand, CliIO } from "./command.js";

const SUMMARY = "serve pricing jobs of a fleet queue on Redis (see createFleetPricingPool)";

/** `pool2peer worker`. Exit codes: 0 after a clean stop (SIGTERM/SIGINT), 1 cannot start, 2 bad arguments. */
export const workerCommand: CliCommand = {
  summary: SUMMARY,
  usage: "usage: pool2peer worker --redis URL [--concurrency N] ... (pool2peer worker --help for all flags)",
  async run(args: string[], io: CliIO): Promise<number> {
    let fleet: typeof import("../fleet/worker.js");
    try {
      fleet = await importOptional("pool2peer worker", ["bullmq", "ioredis"], () => import("../fleet/worker.js"));
    } catch (error) {
      if (!(error instanceof MissingDependencyError)) throw error;
      io.err(error.message);
      return 1;
    }
    if (args.includes("--help") || args.includes("-h")) {
      io.out(fleet.WORKER_USAGE);
      return 0;
    }
    return fleet.runWorkerCommand(args);
  },
};
