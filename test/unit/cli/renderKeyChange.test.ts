// Output formatting of key changes: the plan, a preflight refusal with copy-pasteable az lines, records, progress.
import { describe, expect, it } from "vitest";
import {
  commandsIn,
  keyChangeProgressDetail,
  renderKeyChange,
  renderKeyChangePlan,
  renderPreflightRefusal,
} from "../../../cli/renderKeyChange";
import { progressLine } from "../../../cli/waitForOutcome";

const VAULT_ID = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-eu";
const STORAGE_ID = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/adls1";
const POLICY_ID =
  "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.PowerPlatform/enterprisePolicies/ep1";
const GRANT = `az role assignment create --assignee-object-id 1111 --assignee-principal-type ServicePrincipal --role "Key Vault Crypto Service Encryption User" --scope ${VAULT_ID}`;
const missingRole = {
  resourceId: STORAGE_ID,
  code: "MissingKeyAccess",
  message: `Storage account adls1's identity (principal 1111) cannot use new in kv-eu. Run: ${GRANT}`,
};
const plan = {
  fromKeyId: "https://kv.vault.azure.net/keys/old",
  toKeyId: "https://kv-eu.vault.azure.net/keys/new",
  strategy: "documented",
  toVaultUrl: "https://kv-eu.vault.azure.net",
  toVaultArmId: VAULT_ID,
  toVersion: "abc123",
  storageAccounts: [{ resourceId: STORAGE_ID, mode: "pinned", isRegistered: true }],
  policies: [
    {
      resourceId: POLICY_ID,
      mode: "versionless",
      isRegistered: false,
      systemId: "sys",
      environments: [{ id: "env-1", displayName: "Production" }, { id: "env-2" }],
    },
  ],
  skipped: [{ resourceId: "/x/st2", kind: "storageAccount", detail: "narrowed away" }],
  findings: [missingRole],
  warnings: ["Database restores of backups taken before the change need the old key."],
  steps: ["PATCH adls1 to new", "Create a policy for new"],
};

describe("commandsIn", () => {
  it("finds each az command whole, stopping at ';', '&&' and parentheses", () => {
    expect(commandsIn(missingRole.message)).toEqual([GRANT]);
    expect(commandsIn(`Run: ${GRANT} && ${GRANT}; then post the same key change again (5 minutes).`)).toEqual(
      [GRANT, GRANT],
    );
    expect(
      commandsIn("Vault kv has soft delete off (az keyvault update --name kv --enable-soft-delete true)."),
    ).toEqual(["az keyvault update --name kv --enable-soft-delete true"]);
    expect(commandsIn("nothing to run")).toEqual([]);
  });
});

describe("renderPreflightRefusal", () => {
  it("prints every finding in full and each az line alone on its own line", () => {
    const output = renderPreflightRefusal({
      error: { code: "PreflightFailed", message: "Preflight found 2 problem(s)" },
      findings: [
        missingRole,
        { code: "PurgeProtectionDisabled", message: "Vault kv-eu has purge protection off." },
      ],
      plan,
    });
    expect(output).toContain("preflight refused the change (2 finding(s)); nothing was changed");
    expect(output).toContain(`  1. MissingKeyAccess  ${STORAGE_ID}`);
    expect(output).toContain(`     ${missingRole.message}`);
    expect(output.split("\n")).toContain(`       ${GRANT}`);
    expect(output).toContain("  2. PurgeProtectionDisabled\n     Vault kv-eu has purge protection off.");
  });
});

describe("renderKeyChangePlan", () => {
  it("lists each consumer with its environments, the steps, warnings and findings", () => {
    const output = renderKeyChangePlan({ dryRun: true, ...plan });
    expect(output).toContain("dry run: nothing was changed");
    expect(output).toContain("to        https://kv-eu.vault.azure.net/keys/new (version abc123)");
    expect(output).toContain("consumers (2)");
    expect(output).toMatch(new RegExp(`storageAccount +pinned +yes +${STORAGE_ID}`));
    expect(output).toContain(`${POLICY_ID} (a new policy is created for the new key)`);
    expect(output).toMatch(/ {2}environment +Production \(env-1\)/);
    expect(output).toMatch(/ {2}environment +\(env-2\)/);
    expect(output).toContain("storageAccount /x/st2: narrowed away");
    expect(output).toContain("    1. PATCH adls1 to new\n    2. Create a policy for new");
    expect(output).toContain("    - Database restores");
    expect(output).toContain("preflight: the change would be refused (1 finding(s))");
    expect(output.split("\n")).toContain(`         ${GRANT}`);
    expect(renderKeyChangePlan({ ...plan, findings: [] })).toContain("preflight: ok, the change can start");
  });
});

describe("key change records", () => {
  const record = {
    id: "kc-1",
    fromKeyId: plan.fromKeyId,
    toKeyId: plan.toKeyId,
    strategy: "documented",
    status: "PartiallyApplied",
    reason: "vault move",
    targets: [
      { resourceId: STORAGE_ID, kind: "storageAccount", status: "Verified", detail: "on new/abc123" },
      {
        resourceId: POLICY_ID,
        kind: "powerPlatformPolicy",
        status: "ActionRequired",
        detail: "role missing",
      },
      {
        resourceId: "/providers/Microsoft.BusinessAppPlatform/environments/env-1",
        kind: "powerPlatformEnvironment",
        status: "Pending",
        detail: "Production",
      },
    ],
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T00:00:09.000Z",
    oldKeyRetirableAfter: "2026-01-31T00:00:09.000Z",
    detail: `Policy ep-new's identity (principal 2222) cannot use the keys yet. Run: ${GRANT}; then post the same key change again to resume.`,
  };

  it("renders the outcome, the line to run and a per-target table", () => {
    const output = renderKeyChange(record);
    expect(output).toContain("key change kc-1  PartiallyApplied");
    expect(output).toContain("its versions may be retired after 2026-01-31T00:00:09.000Z");
    expect(output).toContain("to go on, run:");
    expect(output.split("\n")).toContain(`    ${GRANT}`);
    expect(output).toMatch(/Verified +storageAccount +adls1 +on new\/abc123/);
    expect(output).toMatch(/ActionRequired +powerPlatformPolicy +ep1 +role missing/);
    expect(output).toMatch(/Pending +powerPlatformEnvironment +env-1 +Production/);
    expect(output).not.toContain("progress");
  });

  it("shows the step, moved/total and the current environment while running", () => {
    const running = {
      ...record,
      status: "Running",
      finishedAt: null,
      oldKeyRetirableAfter: null,
      detail: null,
      progress: { step: "PowerPlatform", moved: 1, total: 3, current: "Production" },
    };
    expect(keyChangeProgressDetail(running)).toBe("step PowerPlatform · 1/3 moved · now Production");
    expect(renderKeyChange(running)).toContain("progress   step PowerPlatform · 1/3 moved · now Production");
    expect(
      progressLine(
        {
          what: "key change",
          id: "kc-1",
          fetchRecord: () => Promise.resolve(running),
          detailOf: keyChangeProgressDetail,
        },
        running,
        4,
      ),
    ).toBe("key change kc-1: Running · step PowerPlatform · 1/3 moved · now Production · 4 s");
    // Without live progress (finished, or the task hub unreadable) the record's targets say how far it got.
    expect(keyChangeProgressDetail(record)).toBe("1/3 moved");
    expect(keyChangeProgressDetail({ status: "Running", targets: [] })).toBeUndefined();
  });
});
