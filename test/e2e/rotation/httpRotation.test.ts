// End to end through the local host: HTTP rotation with status polling, dry run, concurrent requests, and bad input.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startE2eStack, type E2eStack } from "../../support/e2eStack";
import { historyOf, seedKey, versionsOf, waitForRotation, waitForStep } from "./seedEstate";

let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack({ eventSchema: "none" });
});

afterAll(async () => {
  await stack?.stop();
});

describe("HTTP rotation", () => {
  it("rotates a key, updates a pinned storage account and reports each target", async () => {
    const seeded = await seedKey(stack, {
      keyName: "cmk-http",
      storage: [
        { name: "sthttppinned", mode: "pinned" },
        { name: "sthttpauto", mode: "versionless" },
      ],
    });
    const response = await stack.call("/api/rotations", {
      method: "POST",
      body: JSON.stringify({ keyId: seeded.keyId, reason: "quarterly" }),
    });
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as Record<string, string>;
    expect(accepted.id).toBeTruthy();
    expect(Object.keys(accepted).sort()).toEqual(["id", "instanceId", "statusUrl"]);
    expect(JSON.stringify(accepted)).not.toMatch(/code=|durabletask/);
    expect(response.headers.get("location")).toContain(`/api/rotations/${accepted.id}`);

    // Versionless storage picks the version up once a virtual day: let a day pass while the rotation watches it.
    const running = await stack.call(`/api/rotations/${accepted.id}`);
    expect(running.status).toBe(200);
    await waitForStep(stack, accepted.instanceId, "WatchingVersionlessTargets");
    await stack.advance(25 * 3_600_000);
    const finished = await waitForRotation(stack, accepted.id);
    expect(finished).toMatchObject({
      id: accepted.id,
      status: "Completed",
      trigger: "Http",
      reason: "quarterly",
      previousVersion: seeded.firstVersion,
    });
    expect(finished.newVersion).not.toBe(seeded.firstVersion);
    expect(finished.targets.map((target: { status: string }) => target.status)).toEqual([
      "Verified",
      "Verified",
    ]);

    const account = stack.arm.storageAccounts().find((candidate) => candidate.name === "sthttppinned")!;
    expect(account.keyVersion).toBe(finished.newVersion);
    expect(account.currentVersionedKeyIdentifier).toContain(finished.newVersion);
    expect((await versionsOf(stack, "cmk-http")).map((version) => version.version)).toEqual([
      finished.newVersion,
      seeded.firstVersion,
    ]);
    // The door's first record and the orchestration's records are one history entry, in its latest state.
    const history = await historyOf(stack, "cmk-http");
    expect(history.map((entry) => [entry.id, entry.status])).toEqual([[accepted.id, "Completed"]]);
    expect(Date.parse(history[0].startedAt)).toBeLessThanOrEqual(Date.parse(history[0].finishedAt ?? ""));
  });

  it("answers a dry run with the plan and changes nothing", async () => {
    const seeded = await seedKey(stack, {
      keyName: "cmk-dry",
      storage: [{ name: "stdrypinned", mode: "pinned" }],
    });
    const response = await stack.call("/api/rotations", {
      method: "POST",
      body: JSON.stringify({ keyId: seeded.keyId, dryRun: true }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      dryRun: true,
      previousVersion: seeded.firstVersion,
      targets: [{ mode: "pinned", plannedAction: expect.any(String) }],
    });
    expect(await versionsOf(stack, "cmk-dry")).toHaveLength(1);
  });

  it("answers 503 when the task hub refuses the start, leaves no Running record, and starts once it is back", async () => {
    const seeded = await seedKey(stack, {
      keyName: "cmk-hubdown",
      storage: [{ name: "sthubdown", mode: "pinned" }],
    });
    const ask = { method: "POST", body: JSON.stringify({ keyId: seeded.keyId }) };
    stack.host.failOrchestrationStarts({});
    let refused: Response;
    try {
      refused = await stack.call("/api/rotations", ask);
    } finally {
      stack.host.failOrchestrationStarts(undefined);
    }
    expect(refused.status).toBe(503);
    const { error } = (await refused.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("DependencyUnavailable");
    expect(error.message).toContain("nothing was started");
    expect(await versionsOf(stack, "cmk-hubdown")).toHaveLength(1);
    // The first record, written before the start, now says how it ended instead of Running forever.
    const [withdrawn] = await historyOf(stack, "cmk-hubdown");
    expect(withdrawn).toMatchObject({
      kind: "rotation",
      status: "Failed",
      newVersion: null,
      finishedAt: expect.any(String),
      detail: expect.stringContaining("nothing was started"),
    });
    expect((await (await stack.call(`/api/rotations/${withdrawn.id}`)).json()) as object).toMatchObject({
      status: "Failed",
    });

    const accepted = await stack.call("/api/rotations", ask);
    expect(accepted.status).toBe(202);
    const finished = await waitForRotation(stack, ((await accepted.json()) as { id: string }).id);
    expect(finished.status).toBe("Completed");
    expect(await versionsOf(stack, "cmk-hubdown")).toHaveLength(2);
  });

  it("lets one of two concurrent requests start and answers the other 409 with the running id", async () => {
    const seeded = await seedKey(stack, {
      keyName: "cmk-race",
      storage: [{ name: "straceipinned", mode: "pinned" }],
    });
    const post = () =>
      stack.call("/api/rotations", { method: "POST", body: JSON.stringify({ keyId: seeded.keyId }) });
    const responses = await Promise.all([post(), post()]);
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([202, 409]);
    const bodies = await Promise.all(
      responses.map((response) => response.json() as Promise<{ id?: string; error?: { code: string } }>),
    );
    const accepted = bodies.find((body) => !body.error)!;
    const refused = bodies.find((body) => body.error)!;
    expect(refused).toMatchObject({ error: { code: "RotationInProgress" }, id: accepted.id });
    await waitForRotation(stack, accepted.id ?? "");
    expect(await versionsOf(stack, "cmk-race")).toHaveLength(2);
  });

  it.each([
    ["malformed JSON", "{not json", 400, "InvalidJson"],
    ["a wrong type", JSON.stringify({ keyId: 42 }), 400, "InvalidKeyId"],
    [
      "an unknown vault",
      JSON.stringify({ keyId: "https://nowhere.vault.azure.net/keys/cmk" }),
      400,
      "UnknownVault",
    ],
    [
      "a spoofed key id origin",
      JSON.stringify({ keyId: "https://kv-e2e.evil.example/keys/cmk" }),
      400,
      "KeyIdOriginMismatch",
    ],
    ["a key without bindings", "KEY_WITHOUT_BINDINGS", 404, "BindingNotFound"],
    ["an oversize body", JSON.stringify({ keyId: "x", reason: "x".repeat(70_000) }), 413, "PayloadTooLarge"],
  ])("refuses %s with a 4xx and starts nothing", async (_label, body, status, code) => {
    const payload =
      body === "KEY_WITHOUT_BINDINGS"
        ? JSON.stringify({ keyId: `${stack.vaultUrl()}/keys/cmk-unbound` })
        : body;
    const response = await stack.call("/api/rotations", { method: "POST", body: payload });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code, message: expect.any(String) } });
  });

  it("answers 404 for an unknown rotation id and 401 without the function key", async () => {
    expect((await stack.call("/api/rotations/no-such-rotation")).status).toBe(404);
    expect((await stack.call("/api/rotations/no-such-rotation", { key: null })).status).toBe(401);
  });
});
