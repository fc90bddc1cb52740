/**
 * The state itself cannot be used: not a Polyvisor state, damaged, written by a newer release, or
 * unreachable. Unlike a refused operation (PolyvisorError) nothing about the request is wrong, so
 * the CLI exits 3 and the message says which state, what is wrong and what to do.
 */
export class StateUnusableError extends Error {
  readonly code = "StateUnusable";

  constructor(
    /** The file or database the state was to be read from. */
    readonly location: string,
    /** What is wrong, in a short sentence. */
    readonly reason: string,
    /** What the user can do about it, when there is something. */
    readonly remedy?: string,
  ) {
    super(`${location}: ${reason}${remedy ? `; ${remedy}` : ""}`);
    this.name = "StateUnusableError";
  }
}

export function isStateUnusableError(e: unknown): e is StateUnusableError {
  return e instanceof Error && e.name === "StateUnusableError";
}
