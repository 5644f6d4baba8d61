// Offline checks of the templates against committed catalogs: api-versions from azure-rest-api-specs, built-in role ids, settings.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../../sandbox/packageRoot";
import { SETTING_NAMES, STORAGE_IDENTITY_SETTING_NAMES } from "../../../src/lib/settings";
import { readBicep } from "./bicepText";

const infra = join(packageRoot(), "infra");
const bicepFiles = [
  ...readdirSync(infra)
    .filter((name) => name.endsWith(".bicep"))
    .map((name) => join(infra, name)),
  ...readdirSync(join(infra, "modules"))
    .filter((name) => name.endsWith(".bicep"))
    .map((name) => join(infra, "modules", name)),
];
const bicepTexts = bicepFiles.map((path) => readBicep(path));

const apiVersions = (
  JSON.parse(readFileSync(join(infra, "apiVersions.json"), "utf8")) as { types: Record<string, string> }
).types;
const builtInRoles = (
  JSON.parse(readFileSync(join(infra, "builtInRoles.json"), "utf8")) as { roles: Record<string, string> }
).roles;

const GUID = /'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'/g;

function usedTypeVersions(): Set<string> {
  return new Set(
    bicepTexts.flatMap((text) =>
      [...text.matchAll(/'(Microsoft\.[\w.]+\/[\w./]+@[\w-]+)'/g)].map((m) => m[1]),
    ),
  );
}

function usedRoleIds(): Set<string> {
  return new Set(bicepTexts.flatMap((text) => [...text.matchAll(GUID)].map((match) => match[1])));
}

describe("infra/apiVersions.json", () => {
  const used = usedTypeVersions();

  it("reads every Bicep file there is", () => {
    expect(bicepFiles.length).toBeGreaterThanOrEqual(10);
    expect(used.size).toBeGreaterThan(10);
  });

  it.each([...used].sort())("lists %s, which the Bicep uses", (typeVersion) => {
    expect(apiVersions, `${typeVersion} is not in infra/apiVersions.json`).toHaveProperty([typeVersion]);
  });

  it("lists nothing the Bicep no longer uses", () => {
    expect(Object.keys(apiVersions).filter((typeVersion) => !used.has(typeVersion))).toEqual([]);
  });

  it.each(Object.entries(apiVersions))(
    "names the spec file of %s in its provider and version folder",
    (typeVersion, specPath) => {
      const [type, version] = typeVersion.split("@");
      const namespace = type.split("/")[0];
      const maturity = version.endsWith("-preview") ? "preview" : "stable";
      expect(specPath).toMatch(
        new RegExp(
          `^specification/[\\w-]+/resource-manager/${namespace.replace(".", "\\.")}/${maturity}/${version}/[\\w-]+\\.json$`,
        ),
      );
    },
  );
});

describe("infra/builtInRoles.json", () => {
  const used = usedRoleIds();

  it.each([...used].sort())("names the built-in role %s, which the Bicep uses", (roleId) => {
    expect(builtInRoles, `${roleId} is not in infra/builtInRoles.json`).toHaveProperty([roleId]);
  });

  it("lists nothing the Bicep no longer uses, and no role twice", () => {
    expect(Object.keys(builtInRoles).filter((roleId) => !used.has(roleId))).toEqual([]);
    const names = Object.values(builtInRoles);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("settings the app reads", () => {
  const readable = new Set<string>([...SETTING_NAMES, ...STORAGE_IDENTITY_SETTING_NAMES]);
  const settingsFolder = join(packageRoot(), "src", "lib", "settings");

  it("are all declared: every setting name the loader reads is in SETTING_NAMES or STORAGE_IDENTITY_SETTING_NAMES", () => {
    const readers = readdirSync(settingsFolder).filter((name) => name.endsWith(".ts") && name !== "types.ts");
    const named = new Set(
      readers.flatMap((name) =>
        [
          ...readFileSync(join(settingsFolder, name), "utf8").matchAll(
            /"((?:CMK|AZURE)_[A-Z_]+|AzureWebJobsStorage(?:__\w+)?)"/g,
          ),
        ].map((match) => match[1]),
      ),
    );
    expect(named.size).toBeGreaterThan(10);
    for (const name of named) expect(readable.has(name), `${name} is read but not declared`).toBe(true);
  });

  it("come only through the settings loader: nothing else in src reads process.env", () => {
    const offenders: string[] = [];
    const walk = (folder: string): void => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith(".ts") && !path.startsWith(settingsFolder)) {
          if (/process\.env\b/.test(readFileSync(path, "utf8"))) offenders.push(path);
        }
      }
    };
    walk(join(packageRoot(), "src"));
    expect(offenders).toEqual([]);
  });
});
