// Seeds a key, its consumers and its binding for a rotation end-to-end test, and small polling helpers.
import { TableClient } from "@azure/data-tables";
import {
  AUDIT_TABLE,
  createTableAuditLog,
  type AuditLog,
  type HistoryEntry,
  type RotationRecord,
} from "../../../src/lib/audit";
import { putBinding, type E2eStack } from "../../support/e2eStack";

export interface SeedOptions {
  keyName: string;
  storage?: Array<{ name: string; mode: "pinned" | "versionless" }>;
  policies?: Array<{ name: string; mode: "pinned" | "versionless"; linked?: boolean }>;
  policy?: { rotateEvery?: string; expiresAfter?: string; retireAfter?: string };
  /** Days until the first version expires (default 90). */
  expiresInDays?: number;
}

export interface SeededKey {
  keyName: string;
  keyId: string;
  firstVersion: string;
  storageIds: Record<string, string>;
  policyIds: Record<string, string>;
}

const DAY_MS = 86_400_000;

export async function seedKey(stack: E2eStack, options: SeedOptions): Promise<SeededKey> {
  const created = await stack.operatorKeys().createRsaKey(options.keyName, {
    keySize: 2048,
    expiresOn: new Date(stack.clock.now() + (options.expiresInDays ?? 90) * DAY_MS),
  });
  const firstVersion = created.properties.version!;
  const storageIds: Record<string, string> = {};
  for (const account of options.storage ?? []) {
    const seeded = await stack.arm.seedStorageAccount({
      name: account.name,
      customerManagedKey: {
        vaultName: stack.vaultName,
        keyName: options.keyName,
        keyVersion: account.mode === "pinned" ? firstVersion : "",
      },
    });
    storageIds[account.name] = seeded.id;
  }
  const policyIds: Record<string, string> = {};
  for (const policy of options.policies ?? []) {
    const seeded = await stack.arm.seedEnterprisePolicy({
      name: policy.name,
      keyVaultName: stack.vaultName,
      keyName: options.keyName,
      ...(policy.mode === "pinned" ? { keyVersion: firstVersion } : {}),
    });
    policyIds[policy.name] = seeded.id;
    if (policy.linked)
      await stack.arm.seedEnvironment({ displayName: `${policy.name}-env`, policyId: seeded.id });
  }
  const targets = [
    ...(options.storage ?? []).map((account) => ({
      kind: "storageAccount",
      resourceId: storageIds[account.name],
      mode: account.mode,
    })),
    ...(options.policies ?? []).map((policy) => ({
      kind: "powerPlatformPolicy",
      resourceId: policyIds[policy.name],
      mode: policy.mode,
    })),
  ];
  await putBinding(stack, stack.vaultName, options.keyName, {
    targets,
    ...(options.policy ? { policy: options.policy } : {}),
  });
  return {
    keyName: options.keyName,
    keyId: `${stack.vaultUrl()}/keys/${options.keyName}`,
    firstVersion,
    storageIds,
    policyIds,
  };
}

/** Every version of the key, newest first, as the operator sees them. */
export async function versionsOf(stack: E2eStack, keyName: string) {
  const versions = [];
  for await (const properties of stack.operatorKeys().listPropertiesOfKeyVersions(keyName))
    versions.push(properties);
  // Key Vault's `created` has one-second resolution: break ties with the key's current version first.
  const current = (await stack.operatorKeys().getKey(keyName)).properties.version;
  const rank = (version: string | undefined) => (version === current ? 1 : 0);
  return versions.sort(
    (a, b) =>
      (b.createdOn?.getTime() ?? 0) - (a.createdOn?.getTime() ?? 0) || rank(b.version) - rank(a.version),
  );
}

/** Polls GET /api/rotations/{id} until it leaves Running (real time; the host runs work as it arrives). */
export async function waitForRotation(
  stack: E2eStack,
  id: string,
  timeoutMs = 30_000,
): Promise<RotationRecord> {
  const deadline = Date.now() + timeoutMs;
  let last: RotationRecord | undefined;
  while (Date.now() < deadline) {
    const response = await stack.call(`/api/rotations/${encodeURIComponent(id)}`);
    if (response.status === 200) {
      last = (await response.json()) as RotationRecord;
      if (last.status !== "Running") return last;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`rotation ${id} still not finished after ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

/** Rotation records of a key, newest first. */
export async function historyOf(stack: E2eStack, keyName: string): Promise<HistoryEntry[]> {
  const response = await stack.call(`/api/keys/${stack.vaultName}/${keyName}/history?top=50`);
  if (response.status !== 200) throw new Error(`history: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { value: HistoryEntry[] }).value;
}

/** Waits for the first rotation record of a key (an event started it), then for that rotation to finish. */
export async function firstRotationFinished(stack: E2eStack, keyName: string): Promise<RotationRecord> {
  const [rotation] = await eventually(async () => {
    const history = await historyOf(stack, keyName);
    return history.length > 0 ? history : undefined;
  }, "a rotation record");
  return waitForRotation(stack, rotation.id);
}

/** Polls until `check` returns a value (real time), e.g. a storage account showing a version. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits until the key's rotation instance shows `step` in its custom status. */
export async function waitForStep(stack: E2eStack, instanceId: string, step: string): Promise<void> {
  await eventually(
    () =>
      (stack.host.getStatus(instanceId)?.customStatus as { step?: string } | undefined)?.step === step ||
      undefined,
    `step ${step} of ${instanceId}`,
  );
}

/** Starts a rotation over HTTP and returns the 202 body. */
export async function postRotation(
  stack: E2eStack,
  keyId: string,
  reason = "e2e",
): Promise<{ id: string; instanceId: string }> {
  const response = await stack.call("/api/rotations", {
    method: "POST",
    body: JSON.stringify({ keyId, reason }),
  });
  if (response.status !== 202)
    throw new Error(`rotation not accepted: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string; instanceId: string };
}

/**
 * Waits for a rotation to finish while nudging the virtual clock a minute at a time, so retries that
 * wait on durable timers (Retry-After, backoff) get their turn.
 */
export async function driveUntilFinished(
  stack: E2eStack,
  id: string,
  timeoutMs = 60_000,
): Promise<RotationRecord> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await stack.call(`/api/rotations/${encodeURIComponent(id)}`);
    if (response.status === 200) {
      const record = (await response.json()) as RotationRecord;
      if (record.status !== "Running") return record;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stack.advance(60_000);
  }
  throw new Error(`rotation ${id} still running after ${timeoutMs} ms`);
}

/** The app's audit log read straight from Azurite (decision records have no HTTP route). */
export function auditOf(stack: E2eStack): AuditLog {
  return createTableAuditLog(
    TableClient.fromConnectionString(stack.azurite.connectionString, AUDIT_TABLE, {
      allowInsecureConnection: true,
    }),
  );
}
