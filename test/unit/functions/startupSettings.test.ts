// Loading the app with a bad setting stops start-up with a message naming the setting (settings are read once, at load).
import { afterAll, describe, expect, it } from "vitest";
import { captureFunctions } from "../../support/functionsCore";

const BAD_SETTINGS: Record<string, string> = {
  AzureWebJobsStorage: "UseDevelopmentStorage=true",
  CMK_ALLOWED_VAULTS: "kv1=http://kv1.example",
  CMK_REVOCATION_SECRET: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  CMK_SWEEP_SCHEDULE: "0 0 */6 * * *",
};
const previous = Object.fromEntries(Object.keys(BAD_SETTINGS).map((name) => [name, process.env[name]]));

afterAll(() => {
  for (const [name, value] of Object.entries(previous)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe("start-up", () => {
  it("refuses to load with an invalid CMK_ALLOWED_VAULTS, naming it", async () => {
    Object.assign(process.env, BAD_SETTINGS);
    await expect(captureFunctions(() => import("../../../src/index.js"))).rejects.toThrow(
      /CMK_ALLOWED_VAULTS/,
    );
  });
});
