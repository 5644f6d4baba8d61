// Which files a deployment package holds: the compiled app, host.json, package.json and production dependencies.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

interface LockedPackage {
  dev?: boolean;
  link?: boolean;
}

interface PackageLock {
  packages: Record<string, LockedPackage>;
}

/** Folders of the compiled output that the app runs from (package.json "main" lives in dist/src). */
const APP_FOLDERS = ["dist/src"];
const APP_FILES = ["host.json", "package.json"];

function filesUnder(root: string, folder: string, skipNodeModules: boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
    const path = `${folder}/${entry.name}`;
    // A nested node_modules holds packages of its own, each listed in the lockfile.
    if (entry.isDirectory() && !(skipNodeModules && entry.name === "node_modules")) {
      found.push(...filesUnder(root, path, skipNodeModules));
    } else if (entry.isFile()) {
      found.push(path);
    }
  }
  return found;
}

/**
 * Installed folders of the packages the lockfile does not mark `dev` (what `npm ci --omit=dev`
 * installs); optional packages missing on this platform are skipped.
 */
export function productionDependencyFolders(root: string): string[] {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as PackageLock;
  return Object.entries(lock.packages)
    .filter(([path, locked]) => path.startsWith("node_modules/") && !locked.dev && !locked.link)
    .map(([path]) => path)
    .filter((path) => existsSync(join(root, path)))
    .sort();
}

/** Paths relative to `root` (forward slashes), sorted: the deployment package's content. */
export function productionFiles(root: string): string[] {
  for (const folder of APP_FOLDERS) {
    if (!existsSync(join(root, folder))) throw new Error(`${folder} is missing: run "npm run build" first`);
  }
  const files = [
    ...APP_FILES,
    ...APP_FOLDERS.flatMap((folder) => filesUnder(root, folder, false)),
    ...productionDependencyFolders(root).flatMap((folder) => filesUnder(root, folder, true)),
  ];
  return [...new Set(files.map((file) => relative(root, join(root, file)).split(sep).join("/")))].sort();
}
