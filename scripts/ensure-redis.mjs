#!/usr/bin/env node
// Makes sure Debian's `redis-server` is on the PATH for the fleet tests (test/fleet/*.test.ts) and the
// fleet benchmark. Only the npm registry and Debian's packages are reachable here and in CI, so the
// project installs the distribution package: `apt-get update && apt-get install -y redis-server`.
// Idempotent: when redis-server is already there it prints one line and exits at once.
// The package's own service is not used: tests start their own redis-server on 127.0.0.1 and a free port.
// Exit codes: 0 redis-server present (or installed), 1 it could not be installed (the message says why).
import { spawnSync } from "node:child_process";

function redisVersion() {
  const r = spawnSync("redis-server", ["--version"], { encoding: "utf8", timeout: 30_000 });
  return r.error || r.status !== 0 ? undefined : r.stdout.trim();
}

function fail(message) {
  console.error(`ensure-redis: ${message}`);
  console.error(
    "ensure-redis: the fleet tests need Debian's redis-server on the PATH; install it as root with\n" +
      "    apt-get update && apt-get install -y redis-server",
  );
  process.exit(1);
}

/** Runs one command with its output shown, so CI logs say what was installed. */
function run(cmd, args) {
  console.log(`ensure-redis: $ ${[cmd, ...args].join(" ")}`);
  const r = spawnSync(cmd, args, {
    stdio: "inherit",
    // policy-rc.d is not touched: the packaged service may start or not, the tests never use it.
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`\`${[cmd, ...args].join(" ")}\` exited with ${r.status ?? r.signal}`);
}

const present = redisVersion();
if (present !== undefined) {
  console.log(`ensure-redis: ${present}`);
  process.exit(0);
}

if (process.platform !== "linux") fail("redis-server is missing and automatic install is only done on Debian Linux");
if (typeof process.getuid === "function" && process.getuid() !== 0) {
  fail("redis-server is missing and this process is not root, so apt-get cannot install it");
}
if (spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status !== 0) fail("redis-server is missing and apt-get is not available");

console.log("ensure-redis: redis-server is missing; installing Debian's redis-server package");
// Another install (e.g. ensure-chromium in a parallel test file) may hold the dpkg lock: wait for it.
const lockWait = ["-o", "DPkg::Lock::Timeout=600"];
run("apt-get", [...lockWait, "update"]);
run("apt-get", [...lockWait, "install", "-y", "--no-install-recommends", "redis-server"]);
const installed = redisVersion();
if (installed === undefined) fail("apt-get finished but redis-server is still not runnable");
console.log(`ensure-redis: installed ${installed}`);
