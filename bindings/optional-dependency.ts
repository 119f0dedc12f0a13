// Optional dependencies, loaded when a feature that needs them starts: bullmq and ioredis (optional peer
// dependencies of pool2peer/fleet) and better-sqlite3 (an optional dependency, for pool2peer/store). A missing one
// fails with an error naming what to install instead of Node's "Cannot find package".
import { createRequire } from "node:module";

/** A feature needs a package that is not installed. */
export class MissingDependencyError extends Error {
  /** The packages to install. */
  readonly packages: readonly string[];

  constructor(feature: string, packages: readonly string[], cause: unknown) {
    super(`pool2peer: ${feature} needs ${packages.join(" and ")}, which ${packages.length > 1 ? "are" : "is"} not installed: npm install ${packages.join(" ")}`, { cause });
    this.name = "MissingDependencyError";
    this.packages = packages;
  }
}

/** True when `error` says that package `name` itself (not something inside it) cannot be found. */
function isMissing(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  const message = error instanceof Error ? error.message : String(error);
  return message.includes(`'${name}'`) || message.includes(`"${name}"`);
}

/**
 * Runs `load` (a dynamic import of one of `packages`); rethrows a missing package as MissingDependencyError
 * naming `feature` and all of `packages` (they are installed together).
 */
export async function importOptional<T>(feature: string, packages: readonly string[], load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (packages.some((name) => isMissing(error, name))) throw new MissingDependencyError(feature, packages, error);
    throw error;
  }
}

const require = createRequire(import.meta.url);

/** Synchronous twin of importOptional for CommonJS packages (better-sqlite3 opens stores in constructors). */
export function requireOptional<T>(feature: string, name: string): T {
  try {
    return require(name) as T;
  } catch (error) {
    if (isMissing(error, name)) throw new MissingDependencyError(feature, [name], error);
    throw error;
  }
}
