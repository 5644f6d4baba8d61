// `npm run package`: writes dist/cmk-rotator.zip, the package infra/deploy.sh zip-deploys.
import { join, resolve } from "node:path";
import { buildPackage } from "./buildPackage";

/** Where the package lands unless a path is given: dist/ is build output, never committed. */
export const DEFAULT_PACKAGE_PATH = join("dist", "cmk-rotator.zip");

function main(): void {
  const root = resolve(__dirname, "..", "..", "..");
  const zipPath = resolve(root, process.argv[2] ?? DEFAULT_PACKAGE_PATH);
  const built = buildPackage(root, zipPath);
  const megabytes = (built.bytes / 1024 / 1024).toFixed(1);
  process.stdout.write(`${built.zipPath}: ${built.fileCount} files, ${megabytes} MiB\n`);
}

if (require.main === module) main();
