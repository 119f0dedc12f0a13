#!/usr/bin/env node
// Makes sure Debian's Chromium is at /usr/bin/chromium for the browser test (test/browser.test.ts).
// Playwright cannot download its own browsers here (only the npm registry and Debian's packages
// are reachable), so the project installs the distribution package: `apt-get install -y chromium`.
// Idempotent: when the binary is already there it prints one line and exits at once.
// Exit codes: 0 Chromium present (or installed), 1 it could not be installed (the message says why).
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";

const CHROMIUM = "/usr/bin/chromium";

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function version() {
  const r = spawnSync(CHROMIUM, ["--version"], { encoding: "utf8", timeout: 30_000 });
  return r.status === 0 ? r.stdout.trim() : "(version unknown)";
}

function fail(message) {
  console.error(`ensure-chromium: ${message}`);
  console.error(
    "ensure-chromium: the browser test needs Debian's Chromium at /usr/bin/chromium; install it as root with\n" +
      "    apt-get update && apt-get install -y chromium",
  );
  process.exit(1);
}

/** Runs one command with its output shown, so CI logs say what was installed. */
function run(cmd, args) {
  console.log(`ensure-chromium: $ ${[cmd, ...args].join(" ")}`);
  const r = spawnSync(cmd, args, {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`\`${[cmd, ...args].join(" ")}\` exited with ${r.status ?? r.signal}`);
}

if (executable(CHROMIUM)) {
  console.log(`ensure-chromium: ${CHROMIUM} present: ${version()}`);
  process.exit(0);
}

if (process.platform !== "linux") fail(`${CHROMIUM} is missing and automatic install is only done on Debian Linux`);
if (typeof process.getuid === "function" && process.getuid() !== 0) {
  fail(`${CHROMIUM} is missing and this process is not root, so apt-get cannot install it`);
}
if (spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status !== 0) fail(`${CHROMIUM} is missing and apt-get is not available`);

console.log(`ensure-chromium: ${CHROMIUM} is missing; installing Debian's chromium package`);
run("apt-get", ["update"]);
// With its recommends, so fonts (fonts-liberation) come along and page screenshots show text.
run("apt-get", ["install", "-y", "chromium"]);
if (!executable(CHROMIUM)) fail(`apt-get finished but ${CHROMIUM} is still missing`);
console.log(`ensure-chromium: installed ${version()}`);
