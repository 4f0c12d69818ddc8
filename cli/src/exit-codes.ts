/** What a script can tell from the exit status alone. */
export const EXIT = {
  ok: 0,
  /** The export or import ended Failed (with --wait). */
  jobFailed: 1,
  /** The command line itself is wrong. */
  usage: 2,
  /** botport refused the request: invalid, not found, conflict, not allowed. */
  refused: 3,
  /** The token is missing, expired or not accepted. */
  unauthorized: 4,
  /** botport cannot be reached, or failed on its side (5xx). */
  unavailable: 5,
} as const;

/** An error that ends the command with a message and an exit status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
