#!/usr/bin/env node
// Entry script of a fleet worker process: `node dist/fleet/launch.js --redis URL [--concurrency N]`, the same
// as `pool2peer worker ...`. Tests and the fleet benchmark start worker processes through it.
import { runWorkerCommand } from "./worker.js";

process.exit(await runWorkerCommand(process.argv.slice(2)));
