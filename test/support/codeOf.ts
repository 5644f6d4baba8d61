// Test helper: the domain error code a promise rejects with, so a test can assert refusals in one line.
import { isDomainError } from "../../src/lib/errors";

/** The rejection's domain error code, `String(error)` for anything else, undefined when it resolves. */
export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return isDomainError(error) ? error.code : String(error);
  }
  return undefined;
}
