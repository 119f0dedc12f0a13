// File-system steps the Node parts of the store share. Node only.
import { closeSync, constants, fsyncSync, openSync } from "node:fs";
import { dirname } from "node:path";

/** Makes a newly created (or renamed) file's name durable by fsyncing its directory (POSIX; not on Windows). */
export function fsyncDirectory(path: string): void {
  if (process.platform === "win32") return;
  const fd = openSync(dirname(path), constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
