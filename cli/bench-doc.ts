// `pool2peer bench --write FILE`: the bench writes its own table into a Markdown document, between two marker
// comments, and leaves the prose around them alone; so docs/benchmarks.md's table is the bench's output, not a copy.
import { readFileSync, writeFileSync } from "node:fs";

export const BENCH_BEGIN = "<!-- pool2peer bench: begin (written by `pool2peer bench --write`; edits here are overwritten) -->";
export const BENCH_END = "<!-- pool2peer bench: end -->";

/** Why `text` cannot take a table (markers missing, repeated or out of order), or undefined when it can. */
export function benchSectionProblem(text: string): string | undefined {
  const begin = text.split(BENCH_BEGIN).length - 1;
  const end = text.split(BENCH_END).length - 1;
  if (begin !== 1 || end !== 1) return `needs exactly one line ${BENCH_BEGIN} and one ${BENCH_END} (found ${begin} and ${end})`;
  if (text.indexOf(BENCH_END) < text.indexOf(BENCH_BEGIN)) return `${BENCH_END} comes before ${BENCH_BEGIN}`;
  return undefined;
}

/** `text` with what lies between the markers replaced by `table` (the markers kept). */
export function replaceBenchSection(text: string, table: string): string {
  const problem = benchSectionProblem(text);
  if (problem !== undefined) throw new Error(problem);
  const start = text.indexOf(BENCH_BEGIN) + BENCH_BEGIN.length;
  const stop = text.indexOf(BENCH_END);
  return `${text.slice(0, start)}\n\n${table.trim()}\n\n${text.slice(stop)}`;
}

/** Reads `path` and says what is wrong with it for --write, or undefined when the markers are in place. */
export function checkBenchDoc(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return `cannot read ${path}: ${(error as Error).message}`;
  }
  const problem = benchSectionProblem(text);
  return problem === undefined ? undefined : `${path} ${problem}`;
}

/** Writes the run's header lines (as a text block) and its table between the markers of `path`. */
export function writeBenchDoc(path: string, header: readonly string[], table: string): void {
  const section = `\`\`\`text\n${header.join("\n")}\n\`\`\`\n\n${table.trim()}`;
  writeFileSync(path, replaceBenchSection(readFileSync(path, "utf8"), section));
}
