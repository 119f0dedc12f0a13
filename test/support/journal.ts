// Shared by the journal tests: a pool config, child-process scripts bundled with esbuild, a size-limited or
// read-only tmpfs, and a JournalIO (the journal's documented I/O seam) that injects planned faults.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as fs from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import type { Pricer } from "../../bindings/index.js";
import { ManualClock, ManualOracle, OptionPool, type PoolConfig } from "../../pool/index.js";
import type { JournalIO } from "../../pool/journal/index.js";

export const ROOT = resolve(__dirname, "../..");
export const T0 = 1_767_225_600;

export const poolConfig = (pricer: Pricer): PoolConfig => ({
  collateral: "quote",
  decimals: 6,
  pricer,
  clock: new ManualClock(T0),
  oracle: new ManualOracle({ spot: 2000, timestamp: T0, baseVol: 0.6 }),
});

/** Pool operations that each append events: deposits, put purchases and redemptions, by step number. */
export function operate(pool: OptionPool, step: number): void {
  const who = `lp${step % 3}`;
  if (step % 3 === 0 || pool.sharesOf(who) === 0n) pool.deposit(who, BigInt(1_000 + step) * 1_000_000n);
  else if (step % 3 === 1) pool.trade(`t${step % 4}`, { type: "put", strike: 1800 + 10 * (step % 9), expiry: T0 + 86_400 * 7, size: 3n, side: "buy", maxCost: 10n ** 12n });
  else pool.redeem(who, pool.sharesOf(who) / 5n + 1n);
}

/** Source lines importing the journal and pool modules by absolute path, for a child script. */
export const imports = (names: { journal?: string; pool?: string; bindings?: string }): string =>
  [
    names.journal && `import { ${names.journal} } from ${JSON.stringify(join(ROOT, "pool/journal/index.ts"))};`,
    names.pool && `import { ${names.pool} } from ${JSON.stringify(join(ROOT, "pool/index.ts"))};`,
    names.bindings && `import { ${names.bindings} } from ${JSON.stringify(join(ROOT, "bindings/index.ts"))};`,
  ]
    .filter(Boolean)
    .join("\n");

/** Bundles a TypeScript script for `node` (the TS sources it imports included); returns the bundle's path. */
export async function bundleScript(dir: string, name: string, source: string): Promise<string> {
  const entry = join(dir, `${name}.ts`);
  writeFileSync(entry, source);
  const bundle = join(dir, `${name}.mjs`);
  await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", target: "node20", outfile: bundle, logLevel: "silent", absWorkingDir: ROOT });
  return bundle;
}

/**
 * Mounts a tmpfs of `size` (e.g. "16k") at `dir`. Needs root or CAP_SYS_ADMIN (the tests run as root here and in
 * CI): without it this throws, so that the test fails saying why instead of passing without having run.
 */
export function mountTmpfs(dir: string, size: string): void {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim();
    throw new Error(`cannot mount a ${size} tmpfs at ${dir}: ${stderr}. This test needs a real full (or read-only) file system: run it as root or with CAP_SYS_ADMIN, as in CI.`);
  }
}

/** Remounts the tmpfs at `dir` with `options` (e.g. "ro" or "size=64k"). */
export function remount(dir: string, options: string): void {
  execFileSync("mount", ["-o", `remount,${options}`, dir]);
}

export function unmount(dir: string): void {
  try {
    execFileSync("umount", [dir], { stdio: "ignore" });
  } catch {
    execFileSync("umount", ["-l", dir], { stdio: "ignore" });
  }
}

/** One injected fault: the next call of `op` writes only half its bytes (`short`) or throws `errno`. */
export type Fault = { op: "writeSync"; short: true } | { op: keyof JournalIO; errno: string };

/** node:fs as a JournalIO whose calls fail as `faults` plan, in order; `pending` holds the faults not yet met. */
export function faultyIO(faults: Fault[]): JournalIO & { pending: Fault[] } {
  const pending = [...faults];
  /** The fault planned for this call of `op`: thrown if it is an errno, returned if it is a short write. */
  const next = (op: keyof JournalIO): Fault | undefined => {
    const fault = pending[0]?.op === op ? pending.shift() : undefined;
    if (fault !== undefined && "errno" in fault) throw Object.assign(new Error(`${fault.errno}: injected fault, ${op}`), { code: fault.errno });
    return fault;
  };
  return {
    pending,
    openSync: (path, flags, mode) => (next("openSync"), fs.openSync(path, flags, mode)),
    closeSync: (fd) => (next("closeSync"), fs.closeSync(fd)),
    readSync: (fd, buffer, offset, length, position) => (next("readSync"), fs.readSync(fd, buffer, offset, length, position)),
    writeSync: (fd, buffer, offset, length, position) => {
      const short = next("writeSync") !== undefined;
      return fs.writeSync(fd, buffer, offset, short ? Math.max(1, Math.floor(length / 2)) : length, position);
    },
    fsyncSync: (fd) => (next("fsyncSync"), fs.fsyncSync(fd)),
    ftruncateSync: (fd, length) => (next("ftruncateSync"), fs.ftruncateSync(fd, length)),
    fstatSync: (fd) => (next("fstatSync"), fs.fstatSync(fd)),
  };
}
