// `npm run package` output: the compiled app and production dependencies only, and it runs on its own once unpacked.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalHost } from "../../../sandbox/host";
import { packageRoot } from "../../../sandbox/packageRoot";
import { buildPackage } from "../../../scripts/package/buildPackage";
import { readZip } from "../../../scripts/package/readZip";
import type { ZipEntry } from "../../../scripts/package/zipArchive";

const APP_SETTINGS: Record<string, string> = {
  AzureWebJobsStorage: "UseDevelopmentStorage=true",
  CMK_ALLOWED_VAULTS: "kv1=https://kv1.vault.azure.net",
  CMK_REVOCATION_SECRET: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  CMK_SWEEP_SCHEDULE: "0 0 */6 * * *",
};
const DEV_TOOLCHAIN = [
  "azurite",
  "vitest",
  "vite",
  "eslint",
  "typescript",
  "typescript-eslint",
  "prettier",
  "node",
  // Not "@types/node": Azure Monitor's bunyan, mysql and pg instrumentations list @types packages as runtime
  // dependencies, so its declarations ship (types only, no code).
];

/** Function names the local host registers from `appEntry`, then stops it. */
async function registeredFunctions(appEntry: string): Promise<string[]> {
  const host = await startLocalHost({ appEntry, settings: APP_SETTINGS, log: () => undefined });
  try {
    return host.functions.map((info) => info.name).sort();
  } finally {
    await host.stop();
  }
}

let workFolder: string;
let entries: ZipEntry[];
let unpackedFolder: string;

beforeAll(() => {
  workFolder = realpathSync(mkdtempSync(join(tmpdir(), "cmk-package-")));
  const built = buildPackage(packageRoot(), join(workFolder, "cmk-rotator.zip"));
  entries = readZip(readFileSync(built.zipPath));
  unpackedFolder = join(workFolder, "wwwroot");
  mkdirSync(unpackedFolder);
  for (const entry of entries) {
    const target = join(unpackedFolder, entry.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, entry.data, { mode: entry.mode });
  }
});

afterAll(() => rmSync(workFolder, { recursive: true, force: true }));

describe("the deployment package", () => {
  it("holds the compiled app, host.json and package.json at its root", () => {
    const paths = new Set(entries.map((entry) => entry.path));
    for (const path of ["host.json", "package.json", "dist/src/index.js"])
      expect(paths.has(path), path).toBe(true);
    expect(entries.some((entry) => /^dist\/(test|sandbox|bench|cli|scripts)\//.test(entry.path))).toBe(false);
  });

  it("carries production dependencies and none of the dev toolchain", () => {
    const packages = new Set(
      entries
        .map((entry) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(entry.path)?.[1])
        .filter((name): name is string => name !== undefined),
    );
    for (const name of ["@azure/functions", "durable-functions", "@azure/data-tables", "@azure/identity"]) {
      expect(packages.has(name), name).toBe(true);
    }
    for (const name of DEV_TOOLCHAIN) expect(packages.has(name), `${name} is a dev dependency`).toBe(false);
  });

  it("registers every function when the local host loads the unpacked entry from an empty folder", async () => {
    expect(unpackedFolder.startsWith(packageRoot())).toBe(false);
    const expected = await registeredFunctions(join(packageRoot(), "dist", "src", "index.js"));
    const unpacked = await registeredFunctions(join(unpackedFolder, "dist", "src", "index.js"));
    expect(expected.length).toBeGreaterThan(5);
    expect(unpacked).toEqual(expected);
  });
});
