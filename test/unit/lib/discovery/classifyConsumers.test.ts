// Registration of each consumer: bound & found, bound & gone, other key, other mode, unbound pinned, unbound versionless.
import { describe, expect, it } from "vitest";
import { classifyConsumers, versionsHeldBy } from "../../../../src/lib/discovery";
import type { BoundTargetRead, FoundConsumer } from "../../../../src/lib/discovery";

const key = { vaultName: "kv1", keyName: "cmk" };
const vaultUrl = "https://kv1.vault.azure.net";
const storageId = (name: string) =>
  `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/${name}`;
const pinned = (version: string) => ({
  vaultUrl: `${vaultUrl}/`,
  keyName: "cmk",
  configuredVersion: version,
  versionInUse: version,
});
const versionless = (inUse?: string) => ({
  vaultUrl,
  keyName: "CMK",
  ...(inUse ? { versionInUse: inUse } : {}),
});
const bound = (
  name: string,
  mode: "pinned" | "versionless",
  read: Partial<BoundTargetRead>,
): BoundTargetRead =>
  ({ target: { kind: "storageAccount", resourceId: storageId(name), mode }, ...read }) as BoundTargetRead;
const found = (name: string, reference: FoundConsumer["reference"]): FoundConsumer => ({
  kind: "storageAccount",
  resourceId: storageId(name),
  mode: reference.configuredVersion ? "pinned" : "versionless",
  reference,
});

describe("classifyConsumers", () => {
  const rows = classifyConsumers(
    key,
    vaultUrl,
    [
      bound("stfound", "pinned", { reference: pinned("v1") }),
      bound("stgone", "pinned", { gone: "Storage account was not found." }),
      bound("stotherkey", "pinned", { reference: { vaultUrl, keyName: "other", configuredVersion: "x1" } }),
      bound("stothermode", "pinned", { reference: versionless("v2") }),
      bound("stlagging", "versionless", { reference: versionless("v2") }),
    ],
    [
      found("stfound", pinned("v1")),
      found("stunboundpinned", pinned("v0")),
      found("stunboundauto", versionless("v1")),
    ],
  );
  const byName = (name: string) => rows.find((row) => row.resourceId === storageId(name));

  it("is Registered when bound and found using the key as bound", () => {
    expect(byName("stfound")).toMatchObject({
      registration: "Registered",
      mode: "pinned",
      versionInUse: "v1",
    });
  });
  it("is Missing when the bound resource no longer uses the key", () => {
    expect(byName("stgone")).toMatchObject({
      registration: "Missing",
      detail: expect.stringContaining("not found"),
    });
  });
  it("is Mismatch when bound but using another key", () => {
    expect(byName("stotherkey")).toMatchObject({
      registration: "Mismatch",
      detail: expect.stringContaining("other"),
    });
  });
  it("is Mismatch when bound in another mode", () => {
    expect(byName("stothermode")).toMatchObject({
      registration: "Mismatch",
      detail: expect.stringContaining("bind it as versionless"),
    });
  });
  it("trusts ARM over a Resource Graph that has not listed a bound resource yet", () => {
    expect(byName("stlagging")).toMatchObject({
      registration: "Registered",
      detail: expect.stringContaining("not listed it yet"),
    });
  });
  it("is Unregistered when found but not bound, pinned or versionless", () => {
    expect(byName("stunboundpinned")).toMatchObject({
      registration: "Unregistered",
      mode: "pinned",
      configuredVersion: "v0",
    });
    expect(byName("stunboundauto")).toMatchObject({
      registration: "Unregistered",
      mode: "versionless",
      versionInUse: "v1",
    });
    expect(byName("stunboundauto")?.detail).toContain("cmk-rotator discover kv1/cmk --register");
  });
  it("orders rows by resource id, one per resource", () => {
    expect(rows.map((row) => row.resourceId)).toEqual([...rows.map((row) => row.resourceId)].sort());
    expect(rows).toHaveLength(7);
  });
  it("holds every version a consumer pins or uses, never a Missing one's", () => {
    const held = versionsHeldBy(rows);
    expect([...held.keys()].sort()).toEqual(["v0", "v1", "v2", "x1"]);
    expect(held.get("v0")).toBe(storageId("stunboundpinned"));
  });
});
