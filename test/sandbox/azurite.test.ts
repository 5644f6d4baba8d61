import { TableClient } from "@azure/data-tables";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../sandbox/azurite";
import { packageRoot } from "../../sandbox/packageRoot";

describe("in-process Azurite", () => {
  let azurite: RunningAzurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite.stop();
  });

  it("serves tables through the connection string on a free port", async () => {
    expect(azurite.tableEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    expect(azurite.blobEndpoint).toBeDefined();
    expect(azurite.queueEndpoint).toBeDefined();
    const table = TableClient.fromConnectionString(azurite.connectionString, "probe", {
      allowInsecureConnection: true,
    });
    await table.createTable();
    await table.upsertEntity({ partitionKey: "p", rowKey: "r", value: 42 });
    const entity = await table.getEntity<{ value: number }>("p", "r");
    expect(entity.value).toBe(42);
  });

  it("answers blob and queue service requests", async () => {
    const blob = await fetch(`${azurite.blobEndpoint}?comp=list`);
    const queue = await fetch(`${azurite.queueEndpoint}?comp=list`);
    // Unauthenticated list calls are refused by Azurite with 403, which proves the services answer.
    expect([200, 403]).toContain(blob.status);
    expect([200, 403]).toContain(queue.status);
  });

  it("leaves the process without applicationinsights' hooks on console and the Azure SDKs", () => {
    const loaded = Object.keys(createRequire(join(packageRoot(), "package.json")).cache);
    expect(loaded.some((path) => path.includes("azurite"))).toBe(true);
    expect(
      loaded.filter((path) => /diagnostic-channel-publishers|opentelemetry-instrumentation/.test(path)),
    ).toEqual([]);
  });
});
