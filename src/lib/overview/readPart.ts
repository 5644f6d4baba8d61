// Reads one part of the overview: a domain failure becomes a visible problem, anything else still fails the page.
import { DomainError } from "../errors";
import type { OverviewProblem } from "./types";

/**
 * The overview must still answer when one vault or Resource Graph is down, so a domain error (the
 * dependency's failure, already sanitised) is shown as a problem of that part instead of failing the
 * whole page. A non-domain error is a bug and propagates.
 */
export async function readPart<T>(
  part: string,
  problems: OverviewProblem[],
  fallback: T,
  read: () => Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    problems.push({ part, code: error.code, message: error.message });
    return fallback;
  }
}
