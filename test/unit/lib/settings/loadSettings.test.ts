// Unit tests of settings validation: every setting checked once, messages name the setting.
import { describe, expect, it } from "vitest";
import { SETTING_NAMES, SettingsError, loadSettings } from "../../../../src/lib/settings";

const valid = {
  AzureWebJobsStorage: "UseDevelopmentStorage=true",
  CMK_ALLOWED_VAULTS: "kv1=https://127.0.0.1:8443/, kv-prod",
  CMK_REVOCATION_SECRET: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  CMK_SWEEP_SCHEDULE: "0 0 */6 * * *",
};

function failure(env: Record<string, string | undefined>): SettingsError {
  try {
    loadSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error("loadSettings accepted the settings");
}

describe("loadSettings", () => {
  it("reads valid settings with defaults", () => {
    const settings = loadSettings(valid);
    expect(settings.allowedVaults).toEqual([
      { name: "kv1", url: "https://127.0.0.1:8443" },
      { name: "kv-prod", url: "https://kv-prod.vault.azure.net" },
    ]);
    expect(settings.armEndpoint).toBe("https://management.azure.com");
    expect(settings.powerPlatformEndpoint).toBe("https://api.bap.microsoft.com");
    expect(settings.notifyTopicEndpoint).toBeUndefined();
    expect(settings.managedIdentityClientId).toBeUndefined();
    expect(settings.keyChangeParallelEnvironments).toBe(1);
  });

  it.each(["0", "6", "2.5", "two", "-1", "1e1"])(
    "refuses CMK_KEY_CHANGE_PARALLEL_ENVIRONMENTS %j, naming the setting and the range",
    (value) => {
      const error = failure({ ...valid, CMK_KEY_CHANGE_PARALLEL_ENVIRONMENTS: value });
      expect(error.setting).toBe("CMK_KEY_CHANGE_PARALLEL_ENVIRONMENTS");
      expect(error.message).toMatch(
        /^Setting CMK_KEY_CHANGE_PARALLEL_ENVIRONMENTS .*whole number from 1 to 5/,
      );
    },
  );

  it.each([
    ["1", 1],
    [" 3 ", 3],
    ["5", 5],
    ["", 1],
  ])("reads CMK_KEY_CHANGE_PARALLEL_ENVIRONMENTS %j as %i", (value, expected) => {
    const settings = loadSettings({ ...valid, CMK_KEY_CHANGE_PARALLEL_ENVIRONMENTS: value });
    expect(settings.keyChangeParallelEnvironments).toBe(expected);
  });

  it.each([
    ["AzureWebJobsStorage", { AzureWebJobsStorage: undefined }, /is not set/],
    ["CMK_ALLOWED_VAULTS", { CMK_ALLOWED_VAULTS: " , " }, /lists no vault/],
    ["CMK_ALLOWED_VAULTS", { CMK_ALLOWED_VAULTS: "kv1=http://127.0.0.1:1" }, /not an https origin/],
    ["CMK_ALLOWED_VAULTS", { CMK_ALLOWED_VAULTS: "kv1=https://a/path" }, /not an https origin/],
    ["CMK_ALLOWED_VAULTS", { CMK_ALLOWED_VAULTS: "k!" }, /not a Key Vault name/],
    ["CMK_ALLOWED_VAULTS", { CMK_ALLOWED_VAULTS: "kv1,KV1" }, /twice/],
    ["CMK_ARM_ENDPOINT", { CMK_ARM_ENDPOINT: "http://management.azure.com" }, /https/],
    ["CMK_POWER_PLATFORM_ENDPOINT", { CMK_POWER_PLATFORM_ENDPOINT: "not a url" }, /not a URL/],
    ["CMK_SWEEP_SCHEDULE", { CMK_SWEEP_SCHEDULE: "*/5 * * * *" }, /has 5 fields/],
    ["CMK_SWEEP_SCHEDULE", { CMK_SWEEP_SCHEDULE: "0 0 25 * * *" }, /not a valid NCRONTAB/],
    [
      "CMK_NOTIFY_TOPIC_ENDPOINT",
      { CMK_NOTIFY_TOPIC_ENDPOINT: "http://topic.example.com/api/events" },
      /https/,
    ],
    ["CMK_NOTIFY_TOPIC_KEY", { CMK_NOTIFY_TOPIC_KEY: "k" }, /CMK_NOTIFY_TOPIC_ENDPOINT is not/],
  ])("refuses a bad %s", (setting, override, message) => {
    const error = failure({ ...valid, ...override });
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(setting);
    expect(error.message).toMatch(message);
  });

  it("starts with an unusable revocation secret, saying why without echoing it", () => {
    const settings = loadSettings({ ...valid, CMK_REVOCATION_SECRET: "hunter2" });
    expect(settings.revocationSecret).toEqual({ usable: false, problem: expect.stringContaining("shorter") });
    expect(JSON.stringify(settings.revocationSecret)).not.toContain("hunter2");
  });

  it("accepts an http topic only on loopback", () => {
    const settings = loadSettings({
      ...valid,
      CMK_NOTIFY_TOPIC_ENDPOINT: "http://127.0.0.1:9/api/events",
      CMK_NOTIFY_TOPIC_KEY: "k",
    });
    expect(settings.notifyTopicEndpoint).toBe("http://127.0.0.1:9/api/events");
  });

  it("lists every setting it reads", () => {
    expect(SETTING_NAMES).toEqual(
      expect.arrayContaining([
        ...Object.keys(valid),
        "CMK_ARM_ENDPOINT",
        "CMK_NOTIFY_TOPIC_KEY",
        "AZURE_CLIENT_ID",
      ]),
    );
  });
});
