// End to end through the local host: while the task hub cannot answer status reads, nothing is read as "nothing running".
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRevocationStack, type ErrorBody, type RevocationStack } from "../../support/revocationStack";
import { seedRevocationKey, type SeededRevocationKey } from "./seedRevocationEstate";

let stack: RevocationStack;
let key: SeededRevocationKey;

beforeAll(async () => {
  stack = await startRevocationStack();
  key = await seedRevocationKey(stack, { keyName: "cmk-hiccup", versionCount: 2, storageName: "sthiccup" });
});

afterAll(async () => {
  await stack?.stop();
});

async function enabledVersions(): Promise<number> {
  let enabled = 0;
  for await (const version of stack.base.operatorKeys().listPropertiesOfKeyVersions(key.keyName)) {
    if (version.enabled) enabled += 1;
  }
  return enabled;
}

describe("task hub status reads failing", () => {
  it("refuses a rotation with 503 and starts nothing, instead of assuming no revocation runs", async () => {
    stack.host().failStatusReads({});
    try {
      const response = await stack.call("/api/rotations", {
        method: "POST",
        body: JSON.stringify({ keyId: key.keyId, reason: "during the hiccup" }),
      });
      expect(response.status).toBe(503);
      expect(((await response.json()) as ErrorBody).error.code).toBe("DependencyUnavailable");
    } finally {
      stack.host().failStatusReads(undefined);
    }
    const history = (await (
      await stack.call(`/api/keys/${stack.base.vaultName}/${key.keyName}/history`)
    ).json()) as {
      value: unknown[];
    };
    expect(history.value).toEqual([]);
  });

  it("refuses a revocation with 503, leaving its requestId unspent, and accepts the same request once reads answer", async () => {
    const body = { keyId: key.keyId, reason: "suspected breach", requestId: randomUUID() };
    stack.host().failStatusReads({});
    try {
      const refused = await stack.post("/api/revocations", stack.sign(body));
      expect(refused.status).toBe(503);
      const error = ((await refused.json()) as ErrorBody).error;
      expect(error.code).toBe("DependencyUnavailable");
      expect(await enabledVersions()).toBe(2);
    } finally {
      stack.host().failStatusReads(undefined);
    }
    const accepted = await stack.post("/api/revocations", stack.sign(body));
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    const record = await stack.waitForRevocation(id, (revocation) => revocation.finishedAt !== null);
    expect(record.status).toBe("Revoked");
    expect(await enabledVersions()).toBe(0);
  });
});
