// Captures what app code registers with @azure/functions (metadata and real callbacks) through the local host's one process-wide provider.
import { captureApp } from "../../sandbox/host";

export interface CapturedFunction {
  name: string;
  /** Core function metadata as @azure/functions builds it (trigger type, route, schedule, bindings). */
  metadata: { name: string; bindings: Record<string, unknown> };
  /** The exact callback the worker would invoke (for orchestrations, the durable-functions wrapper). */
  callback: (...args: unknown[]) => unknown;
}

export interface CapturedApp {
  names(): string[];
  /** The function registered under `name`; throws naming what was registered otherwise. */
  get(name: string): CapturedFunction;
}

/**
 * Runs `load` (e.g. `() => import("../../src/index.js")`) while capturing registrations. Load a module
 * once per test file: a second import of the same source is cached and registers nothing.
 */
export async function captureFunctions(load: () => unknown): Promise<CapturedApp> {
  const registrations = await captureApp(load);
  const byName = new Map<string, CapturedFunction>(
    registrations.functions.map(({ metadata, callback }) => [
      metadata.name,
      { name: metadata.name, metadata, callback },
    ]),
  );
  return {
    names: () => [...byName.keys()],
    get(name) {
      const found = byName.get(name);
      if (!found)
        throw new Error(`No function "${name}" was registered; registered: ${[...byName.keys()].join(", ")}`);
      return found;
    },
  };
}
