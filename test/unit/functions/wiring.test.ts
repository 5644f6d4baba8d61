// Loads the app entry the way the worker does and checks every door's trigger, route, methods, auth level and schedule.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureFunctions, type CapturedApp } from "../../support/functionsCore";

const SETTINGS: Record<string, string> = {
  AzureWebJobsStorage: "UseDevelopmentStorage=true",
  CMK_ALLOWED_VAULTS: "kv1=https://kv1.vault.azure.net",
  CMK_REVOCATION_SECRET: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  CMK_SWEEP_SCHEDULE: "0 0 */6 * * *",
};
const previous: Record<string, string | undefined> = {};
let app: CapturedApp;

interface Binding {
  type: string;
  direction: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
  schedule?: string;
}

function bindingsOf(name: string): Binding[] {
  return Object.values(app.get(name).metadata.bindings as Record<string, Binding>);
}

function triggerOf(name: string): Binding {
  const trigger = bindingsOf(name).find(
    (binding) => binding.direction === "in" && binding.type.endsWith("Trigger"),
  );
  if (!trigger) throw new Error(`${name} has no trigger`);
  return trigger;
}

beforeAll(async () => {
  for (const [name, value] of Object.entries(SETTINGS)) {
    previous[name] = process.env[name];
    process.env[name] = value;
  }
  app = await captureFunctions(() => import("../../../src/index.js"));
});

afterAll(() => {
  for (const [name, value] of Object.entries(previous)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe("app wiring", () => {
  it("registers the durable names the sandbox and CLI rely on", () => {
    expect(app.names()).toEqual(
      expect.arrayContaining(["keyVaultEvents", "scheduledSweep", "rotateKey", "sweepKeys"]),
    );
    expect(triggerOf("rotateKey").type).toBe("orchestrationTrigger");
    expect(triggerOf("sweepKeys").type).toBe("orchestrationTrigger");
    expect(triggerOf("keyVaultEvents").type).toBe("eventGridTrigger");
  });

  it("runs the sweep on %CMK_SWEEP_SCHEDULE%", () => {
    expect(triggerOf("scheduledSweep")).toMatchObject({
      type: "timerTrigger",
      schedule: "%CMK_SWEEP_SCHEDULE%",
    });
  });

  it.each([
    ["startRotation", "rotations", ["POST"], "function"],
    ["getRotation", "rotations/{id}", ["GET"], "function"],
    ["startSweep", "sweeps", ["POST"], "function"],
    ["getSweep", "sweeps/{id}", ["GET"], "function"],
    ["keyHistory", "keys/{vaultName}/{keyName}/history", ["GET"], "function"],
    ["bindings", "bindings/{vaultName}/{keyName}", ["PUT", "GET", "DELETE"], "function"],
    ["listBindings", "bindings", ["GET"], "function"],
    ["health", "health", ["GET"], "anonymous"],
  ])("serves %s on /api/%s", (name, route, methods, authLevel) => {
    expect(triggerOf(name)).toMatchObject({ type: "httpTrigger", route, methods, authLevel });
  });

  it("gives a durable client to every door that starts orchestrations, and to the sweep's start activity", () => {
    for (const name of [
      "keyVaultEvents",
      "scheduledSweep",
      "startRotation",
      "getRotation",
      "startSweep",
      "getSweep",
      "sweepKeys_startRotation",
    ]) {
      expect(
        bindingsOf(name).some((binding) => binding.type === "durableClient"),
        name,
      ).toBe(true);
    }
  });
});
