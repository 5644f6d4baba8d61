// Loads a compiled function app with Node's own require, the way the Node worker does, capturing its registrations.
import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import { packageRoot } from "../../packageRoot";
import { collectRegistrations, newRegistrations, type AppRegistrations } from "./coreApi";

/** Packages whose module state (registered functions, cached core API, programming model) belongs to one app load. */
const PER_APP_PACKAGES = ["@azure/functions", "durable-functions"];
/** Node's module cache (shared by every require in the process, also under vitest). */
const moduleCache = createRequire(__filename).cache;

function isUnder(file: string, folder: string): boolean {
  return file === folder || file.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

/**
 * Drops the app's own modules and the Functions libraries from Node's module cache so the next require runs every
 * registration again, exactly like a fresh worker process (this is what makes a host restart reload the app).
 */
export function forgetAppModules(appEntry: string, extraFolders: readonly string[] = []): void {
  const nodeModules = join(packageRoot(), "node_modules");
  const folders = [
    dirname(appEntry),
    ...extraFolders,
    ...PER_APP_PACKAGES.map((name) => join(nodeModules, ...name.split("/"))),
  ];
  for (const file of Object.keys(moduleCache)) {
    if (folders.some((folder) => isUnder(file, folder))) delete moduleCache[file];
  }
}

/** Requires `appEntry` (absolute path of a CommonJS file) from scratch and returns what it registered. */
export async function loadApp(
  appEntry: string,
  log: AppRegistrations["log"],
  extraFolders: readonly string[] = [],
): Promise<AppRegistrations> {
  forgetAppModules(appEntry, extraFolders);
  const registrations = newRegistrations(log);
  const requireFromEntry = createRequire(appEntry);
  await collectRegistrations(registrations, () => requireFromEntry(appEntry));
  if (registrations.functions.length > 0 && !registrations.programmingModel) {
    throw new Error(
      `${appEntry} registered functions but no programming model: is @azure/functions v4 installed?`,
    );
  }
  return registrations;
}

/**
 * Captures the registrations of code loaded by `load` (for example an `import()` of TypeScript sources in a test).
 * The Functions libraries are reloaded first so their cached "test mode" state cannot hide the registrations.
 */
export async function captureApp(
  load: () => unknown,
  log: AppRegistrations["log"] = () => undefined,
): Promise<AppRegistrations> {
  const nodeModules = join(packageRoot(), "node_modules");
  for (const file of Object.keys(moduleCache)) {
    if (PER_APP_PACKAGES.some((name) => isUnder(file, join(nodeModules, ...name.split("/"))))) {
      delete moduleCache[file];
    }
  }
  const registrations = newRegistrations(log);
  await collectRegistrations(registrations, load);
  return registrations;
}
