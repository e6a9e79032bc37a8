/**
 * A problem with what the user gave a local run (a flag, an event file, a missing secret): reported as
 * its message alone, without a stack trace, and with exit code 2.
 */
export class LocalRunInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LocalRunInputError";
  }
}
