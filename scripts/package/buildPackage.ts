// Builds the deployment zip (WEBSITE_RUN_FROM_PACKAGE=1, zip deploy) from the compiled tree.
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { productionFiles } from "./productionFiles";
import { createZip } from "./zipArchive";

export interface BuiltPackage {
  zipPath: string;
  fileCount: number;
  bytes: number;
}

/** Zips `root`'s production files into `zipPath` (created or replaced). */
export function buildPackage(root: string, zipPath: string): BuiltPackage {
  const files = productionFiles(root);
  const archive = createZip(
    files.map((path) => {
      const absolute = join(root, path);
      return { path, data: readFileSync(absolute), mode: statSync(absolute).mode & 0o777 };
    }),
  );
  mkdirSync(dirname(zipPath), { recursive: true });
  writeFileSync(zipPath, archive);
  return { zipPath, fileCount: files.length, bytes: archive.length };
}
