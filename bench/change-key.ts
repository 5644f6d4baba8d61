// Benchmark: a key change with one storage account and N linked environments (documented strategy: unlink, then
// link, one environment at a time), against the admin API's own operation time × operations, measured in the same run.
import type { KeyChangeRecord } from "../src/lib/audit";
import { KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER } from "../sandbox/launcher/keyVaultRbac";
import { sandboxCredential } from "../sandbox/identity";
import { putBinding, startE2eStack, type E2eStack } from "../test/support/e2eStack";
import { operationsPerEnvironment, sequentialBoundMs } from "./support/keyChangeBound";
import { RequestTally, type RequestCounts } from "./support/requestTally";
import { percentile } from "./support/stats";

const OLD_VAULT = "kv-bench-old";
/** The new key's vault enforces RBAC, as in the demo: the consumers' identities get a role on it. */
const NEW_VAULT = "kv-bench-new";
const DEFAULT_SIZES = [1, 5, 20];
const STRATEGY = "documented";
/**
 * Power Platform takes minutes per link or unlink and asks to be polled every few seconds. Retry-After is whole
 * seconds, so its floor of 1 s sets the scale: an operation of 1.5 s polled every 1 s (seen done at the second
 * poll) keeps 52 operations of the app plus the hand-made ones inside ~3 minutes.
 */
const LINK_DURATION_MS = 1_500;
const RETRY_AFTER_SECONDS = 1;
const KEY_VAULT_LATENCY_MS = 20;
const ARM_LATENCY_MS = 30;
/** Environment moves made by hand right before and right after each app run (2 operations each). */
const HAND_MOVES_AROUND_EACH_RUN = 1;
const LINK_API_VERSION = "2019-10-01";
const DAY_MS = 86_400_000;

interface Estate {
  fromKeyId: string;
  toKeyId: string;
  storageName: string;
  targetPolicyId: string;
  environmentIds: string[];
}

function grantNewKey(stack: E2eStack, principalId: string): void {
  const scope = stack.arm.vaults().find((vault) => vault.name === NEW_VAULT)?.id;
  if (!scope) throw new Error(`no vault resource ${NEW_VAULT}`);
  stack.arm.assignRole({ scope, roleDefinitionId: KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, principalId });
}

/**
 * One storage account pinned to the old key and an enterprise policy on it linked to `size` environments; the new
 * key in the RBAC vault, with a policy already on it in the same region. Every identity may use the new key, so
 * the change runs straight through (the created-policy path stops for a role grant, which is not what is timed).
 */
async function seedEstate(stack: E2eStack, size: number): Promise<Estate> {
  const prefix = `n${size}`;
  const expiresOn = new Date(stack.clock.now() + 180 * DAY_MS);
  const old = await stack.operatorKeys(OLD_VAULT).createRsaKey(`${prefix}-old`, { keySize: 2048, expiresOn });
  await stack.operatorKeys(NEW_VAULT).createRsaKey(`${prefix}-new`, { keySize: 3072, expiresOn });
  const storage = await stack.arm.seedStorageAccount({
    name: `stbench${prefix}`,
    customerManagedKey: {
      vaultName: OLD_VAULT,
      keyName: `${prefix}-old`,
      keyVersion: old.properties.version,
    },
  });
  grantNewKey(stack, storage.principalId);
  const policy = await stack.arm.seedEnterprisePolicy({
    name: `ep-${prefix}`,
    keyVaultName: OLD_VAULT,
    keyName: `${prefix}-old`,
  });
  const target = await stack.arm.seedEnterprisePolicy({
    name: `ep-${prefix}-new`,
    keyVaultName: NEW_VAULT,
    keyName: `${prefix}-new`,
  });
  grantNewKey(stack, target.principalId);
  const environmentIds: string[] = [];
  for (let index = 0; index < size; index += 1) {
    const environment = await stack.arm.seedEnvironment({
      displayName: `${prefix} environment ${index}`,
      policyId: policy.id,
    });
    environmentIds.push(environment.id);
  }
  await putBinding(stack, OLD_VAULT, `${prefix}-old`, {
    targets: [
      { kind: "storageAccount", resourceId: storage.id, mode: "pinned" },
      { kind: "powerPlatformPolicy", resourceId: policy.id, mode: "versionless" },
    ],
  });
  return {
    fromKeyId: `${stack.vaultUrl(OLD_VAULT)}/keys/${prefix}-old`,
    toKeyId: `${stack.vaultUrl(NEW_VAULT)}/keys/${prefix}-new`,
    storageName: storage.name,
    targetPolicyId: target.id,
    environmentIds,
  };
}

/**
 * The admin API by hand: one spare environment moved between two policies (each able to use its key) with the
 * calls Microsoft's scripts make: POST link/unlink, then GET operation-location after each Retry-After until it
 * says Succeeded. Each operation is timed from its POST to the answer that said Succeeded.
 */
async function handMover(stack: E2eStack) {
  const a = await stack.arm.seedEnterprisePolicy({
    name: "ep-hand-a",
    keyVaultName: OLD_VAULT,
    keyName: "hand-a",
  });
  const b = await stack.arm.seedEnterprisePolicy({
    name: "ep-hand-b",
    keyVaultName: NEW_VAULT,
    keyName: "hand-b",
  });
  grantNewKey(stack, b.principalId);
  const spare = await stack.arm.seedEnvironment({ displayName: "hand-moved spare", policyId: a.id });
  const token = await sandboxCredential("bench-operator").getToken(`${stack.arm.url}/.default`);
  if (!token) throw new Error("no token for the admin API");
  const headers = { authorization: `Bearer ${token.token}`, "content-type": "application/json" };
  let linked = a;

  const operate = async (operation: "link" | "unlink", systemId: string): Promise<number> => {
    const startedAt = performance.now();
    const url = `${stack.arm.url}/providers/Microsoft.BusinessAppPlatform/environments/${spare.id}/enterprisePolicies/Encryption/${operation}?api-version=${LINK_API_VERSION}`;
    const started = await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify({ SystemId: systemId }),
    });
    await started.arrayBuffer();
    if (started.status !== 202) throw new Error(`hand ${operation} answered ${started.status}`);
    const location = started.headers.get("operation-location");
    if (!location) throw new Error(`hand ${operation} answered without operation-location`);
    let retryAfterSeconds = Number(started.headers.get("retry-after"));
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, retryAfterSeconds * 1000));
      const polled = await fetch(location, { headers });
      const body = (await polled.json()) as { state?: { id?: string } };
      if (body.state?.id === "Succeeded") return performance.now() - startedAt;
      if (body.state?.id !== "Running") throw new Error(`hand ${operation} ended ${JSON.stringify(body)}`);
      retryAfterSeconds = Number(polled.headers.get("retry-after"));
    }
  };

  /** Moves the spare environment to the other policy: unlink, then link. Returns both operations' times. */
  return async (): Promise<number[]> => {
    const next = linked === a ? b : a;
    const unlinkMs = await operate("unlink", linked.systemId);
    const linkMs = await operate("link", next.systemId);
    linked = next;
    return [unlinkMs, linkMs];
  };
}

interface AppRun {
  postMs: number;
  appMs: number;
  /** From the 202 to the first link/unlink: record, storage account, the new policy and its access checks. */
  beforeEnvironmentsMs: number;
  counts: RequestCounts;
}

/** POST /api/keyChanges, then wait (pushed, not polled) until the instance completes; checks where everything ended. */
async function changeByApp(
  stack: E2eStack,
  estate: Estate,
  tally: RequestTally,
  timeoutMs: number,
): Promise<AppRun> {
  tally.take();
  const postedAt = performance.now();
  const response = await stack.call("/api/keyChanges", {
    method: "POST",
    body: JSON.stringify({
      fromKeyId: estate.fromKeyId,
      toKeyId: estate.toKeyId,
      reason: "bench",
      strategy: STRATEGY,
    }),
  });
  if (response.status !== 202) throw new Error(`change refused: ${response.status} ${await response.text()}`);
  const { id, instanceId } = (await response.json()) as { id: string; instanceId: string };
  const acceptedAt = performance.now();
  const finished = await stack.host.waitForInstance(instanceId, { timeoutMs });
  const appMs = performance.now() - acceptedAt;
  const counts = tally.take();
  if (finished.runtimeStatus !== "Completed") throw new Error(`change ${id} ended ${finished.runtimeStatus}`);

  const record = (await (
    await stack.call(`/api/keyChanges/${encodeURIComponent(id)}`)
  ).json()) as KeyChangeRecord;
  if (record.status !== "Completed" || !record.targets.every((target) => target.status === "Verified"))
    throw new Error(`change ${id} recorded ${record.status}: ${JSON.stringify(record.targets)}`);
  const environments = await stack.arm.environments();
  for (const environmentId of estate.environmentIds) {
    const environment = environments.find((candidate) => candidate.id === environmentId);
    if (environment?.state !== "Enabled" || environment.policy?.id !== estate.targetPolicyId)
      throw new Error(`environment ${environmentId} ended ${JSON.stringify(environment)}`);
  }
  if (
    !stack.arm
      .storageAccounts()
      .find((account) => account.name === estate.storageName)
      ?.keyName?.endsWith("-new")
  )
    throw new Error(`${estate.storageName} is not on the new key`);
  const beforeEnvironmentsMs = (counts.firstOperationAtMs ?? acceptedAt) - acceptedAt;
  return { postMs: acceptedAt - postedAt, appMs, beforeEnvironmentsMs, counts };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export async function run(args: string[]): Promise<void> {
  const sizes = args.length > 0 ? args.map(Number) : DEFAULT_SIZES;
  if (!sizes.every((size) => Number.isInteger(size) && size >= 1 && size <= 100))
    throw new Error(`environment counts must be whole numbers 1..100, got ${args.join(" ")}`);
  const stack = await startE2eStack({
    vaultNames: [OLD_VAULT, NEW_VAULT],
    rbacVaults: [NEW_VAULT],
    eventSchema: "none",
    throttling: true,
  });
  const tally = new RequestTally(Number(new URL(stack.arm.url).port));
  tally.start();
  try {
    const expiresOn = new Date(stack.clock.now() + 180 * DAY_MS);
    await stack.operatorKeys(OLD_VAULT).createRsaKey("hand-a", { keySize: 2048, expiresOn });
    await stack.operatorKeys(NEW_VAULT).createRsaKey("hand-b", { keySize: 3072, expiresOn });
    const moveByHand = await handMover(stack);
    const estates = new Map<number, Estate>();
    for (const size of sizes) estates.set(size, await seedEstate(stack, size));

    stack.arm.setLinkDuration(LINK_DURATION_MS, RETRY_AFTER_SECONDS);
    stack.keyVault.setFaults(undefined, { latencyMs: KEY_VAULT_LATENCY_MS });
    stack.arm.setFaults({ latencyMs: ARM_LATENCY_MS });
    console.log(
      `change-key: ${STRATEGY} strategy, one storage account and N environments; link/unlink ${LINK_DURATION_MS} ms, ` +
        `Retry-After ${RETRY_AFTER_SECONDS} s; Key Vault +${KEY_VAULT_LATENCY_MS} ms, ARM and admin API +${ARM_LATENCY_MS} ms per request; ` +
        `service limits on`,
    );

    let ratioAtLargest = Number.NaN;
    for (const size of sizes) {
      const estate = estates.get(size)!;
      const handMs: number[] = [];
      for (let move = 0; move < HAND_MOVES_AROUND_EACH_RUN; move += 1) handMs.push(...(await moveByHand()));
      const handBefore = tally.take();
      const operations = size * operationsPerEnvironment(STRATEGY);
      const timeoutMs = 3 * operations * (LINK_DURATION_MS + RETRY_AFTER_SECONDS * 1000) + 60_000;
      const app = await changeByApp(stack, estate, tally, timeoutMs);
      for (let move = 0; move < HAND_MOVES_AROUND_EACH_RUN; move += 1) handMs.push(...(await moveByHand()));
      const handAfter = tally.take();
      const boundMs = sequentialBoundMs(handMs, size, STRATEGY);
      const ratio = app.appMs / boundMs;
      ratioAtLargest = ratio;
      const { counts } = app;
      console.log(
        `change-key: N=${size}: app ${seconds(app.appMs)} (202 → instance Completed; the POST itself ${seconds(app.postMs)}), ` +
          `bound ${seconds(boundMs)} (${operations} operations × ${percentile(handMs, 50).toFixed(0)} ms, the median of ` +
          `${handMs.length} by hand: ${handMs.map((ms) => ms.toFixed(0)).join(", ")}), ratio ${ratio.toFixed(3)}`,
      );
      console.log(
        `change-key: N=${size}: app started ${counts.operations} link/unlink operations, ${counts.polls} polls, ` +
          `${counts.adminReads} other admin API requests; 429s: ${counts.throttled} during the app's run, ` +
          `${handBefore.throttled + handAfter.throttled} during the hand-made moves`,
      );
      const perEnvironmentMs = (app.appMs - app.beforeEnvironmentsMs) / size;
      console.log(
        `change-key: N=${size}: of the app's time, ${seconds(app.beforeEnvironmentsMs)} before the first link/unlink ` +
          `(record, storage account, the new policy's checks), then ${perEnvironmentMs.toFixed(0)} ms per environment ` +
          `against ${(boundMs / size).toFixed(0)} ms of operations by hand`,
      );
      if (counts.operations !== operations)
        console.log(`change-key: N=${size}: expected ${operations} operations, saw ${counts.operations}`);
    }
    console.log(`change-key: ratio ${ratioAtLargest.toFixed(2)} (goal ≤ 1.10)`);
  } catch (error) {
    for (const entry of stack.logs
      .filter((logged) => logged.level === "error" || logged.level === "warning")
      .slice(-10))
      console.error(`host: ${entry.functionName ?? ""} ${entry.message}`);
    throw error;
  } finally {
    tally.stop();
    stack.keyVault.clearFaults();
    stack.arm.clearFaults();
    await stack.stop();
  }
}
