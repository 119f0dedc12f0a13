// The shape of a `pool2peer` subcommand, so each lives in its own file and the dispatcher is a table.

/** Where a command writes: stdout for results, stderr for progress and errors (swappable in tests). */
export interface CliIO {
  /** Writes one line (a newline is appended) to standard output. */
  out(text: string): void;
  /** Writes one line (a newline is appended) to standard error. */
  err(text: string): void;
}

/** A subcommand of `pool2peer`. */
export interface CliCommand {
  /** One line for the command list of `pool2peer --help`. */
  summary: string;
  /** Full usage text for `pool2peer <command> --help`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the process exit code. */
  run(args: string[], io: CliIO): Promise<number>;
}
