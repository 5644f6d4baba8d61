// Finds the repository root (the folder holding package.json) from compiled or source locations alike.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** Absolute path of the folder that holds this project's package.json. */
export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
