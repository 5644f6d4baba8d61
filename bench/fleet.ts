// Benchmark: one forced sweep rotates a fleet (keys in 8 vaults, each bound to 3 pinned storage accounts in one subscription)
// while the emulators enforce Azure's limits; the wall time is set beside the least time those limits allow for the requests made.
import { ARM_LIMITS, RESOURCE_GRAPH_QUOTA, type ArmRequestCounts } from "../sandbox/arm";
import { KEY_VAULT_LIMITS, type OperationCount } from "../sandbox/keyvault";
import { rotationInstanceId } from "../src/lib/keys";
import { startE2eStack, type E2eStack } from "../test/support/e2eStack";
import { bucketBound, slowestLimit, windowBound, type LimitBound } from "./support/limitBounds";
import { mainThreadSchedule, scheduleBetween } from "./support/mainThreadSchedule";

const VAULTS = 8;
const TARGETS_PER_KEY = 3;
const DEFAULT_KEYS = 240;
/** RSA-2048 keys the Key Vault emulator hands out from its committed pool before it must generate more. */
const COMMITTED_RSA_KEYS = 320;
const SETUP_CONCURRENCY = 16;
const SWEEP_TIMEOUT_MS = 20 * 60_000;
const RATIO_GOAL = 1.15;
const THROTTLED_SHARE_GOAL_PERCENT = 1;

interface FleetKey {
  vaultName: string;
  keyName: string;
  firstVersion: string;
}

type RotationStatus = {
  step?: string;
  status?: string;
  newVersion?: string;
  targets?: { status: string }[];
} | null;

function keysOption(args: string[]): number {
  const flag = args.indexOf("--keys");
  const value = flag >= 0 ? Number(args[flag + 1]) : Number(args[0] ?? DEFAULT_KEYS);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_KEYS;
}

async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Keys round-robin over the vaults; each gets its first version, 3 pinned accounts and a binding through the app. */
async function seedFleet(stack: E2eStack, vaultNames: string[], keyCount: number): Promise<FleetKey[]> {
  const keys: FleetKey[] = Array.from({ length: keyCount }, (_, index) => ({
    vaultName: vaultNames[index % vaultNames.length],
    keyName: `cmk-fleet${index}`,
    firstVersion: "",
  }));
  await inParallel(keys, SETUP_CONCURRENCY, async (key) => {
    const created = await stack.operatorKeys(key.vaultName).createRsaKey(key.keyName, { keySize: 2048 });
    key.firstVersion = created.properties.version!;
    const accounts = await stack.arm.seedStorageAccounts({
      count: TARGETS_PER_KEY,
      namePrefix: `stf${keys.indexOf(key)}x`,
      subscriptionIds: [stack.arm.subscriptionId],
      customerManagedKey: { vaultName: key.vaultName, keyName: key.keyName, keyVersion: key.firstVersion },
    });
    const response = await stack.call(`/api/bindings/${key.vaultName}/${key.keyName}`, {
      method: "PUT",
      body: JSON.stringify({
        targets: accounts.ids.map((resourceId) => ({ kind: "storageAccount", resourceId, mode: "pinned" })),
      }),
    });
    if (response.status !== 200)
      throw new Error(`binding refused: ${response.status} ${await response.text()}`);
  });
  return keys;
}

function isVerified(status: RotationStatus, previousVersion: string): boolean {
  return Boolean(
    status?.newVersion &&
    status.newVersion !== previousVersion &&
    status.targets?.length === TARGETS_PER_KEY &&
    status.targets.every((target) => target.status === "Verified"),
  );
}

/** Resolves with each key's verification time (performance.now()) once every key's targets are Verified. */
function whenEveryKeyVerified(
  stack: E2eStack,
  keys: readonly FleetKey[],
): { verifiedAtMs: Map<string, number>; done: Promise<void>; stop(): void } {
  const verifiedAtMs = new Map<string, number>();
  const stops: Array<() => void> = [];
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  for (const key of keys) {
    const instanceId = rotationInstanceId(key);
    const stop = stack.host.onCustomStatus(instanceId, (status) => {
      if (verifiedAtMs.has(instanceId) || !isVerified(status as RotationStatus, key.firstVersion)) return;
      verifiedAtMs.set(instanceId, performance.now());
      if (verifiedAtMs.size === keys.length) resolveDone();
    });
    stops.push(stop);
  }
  return { verifiedAtMs, done, stop: () => stops.forEach((stop) => stop()) };
}

/** Every limit's bound for the requests the emulators counted (served ones: a 429 spends nothing). */
function boundsOf(arm: ArmRequestCounts, keyVault: Record<string, OperationCount[]>): LimitBound[] {
  const bounds: LimitBound[] = [];
  const names = {
    subscriptionReads: "ARM reads",
    subscriptionWrites: "ARM writes",
    storageWrites: "Storage provider writes",
    adminApiRequests: "Power Platform admin API",
  } as const;
  for (const count of arm.limits) {
    const { capacity, refillPerSecond } = ARM_LIMITS[count.limit];
    bounds.push(
      bucketBound(names[count.limit], count.scope, count.served, { burst: capacity, refillPerSecond }),
    );
  }
  for (const [vaultName, counts] of Object.entries(keyVault)) {
    for (const kind of ["createSoftware", "createHsm"] as const) {
      const served = counts.find((count) => count.kind === kind)?.served ?? 0;
      if (served === 0) continue;
      bounds.push(
        windowBound(`Key Vault ${kind === "createSoftware" ? "creates" : "HSM creates"}`, vaultName, served, {
          perWindow: KEY_VAULT_LIMITS[kind],
          windowMs: KEY_VAULT_LIMITS.windowMs,
        }),
      );
    }
  }
  for (const count of arm.resourceGraphQueries)
    bounds.push(
      windowBound("Resource Graph queries", count.principalId, count.served, {
        perWindow: RESOURCE_GRAPH_QUOTA.queriesPerWindow,
        windowMs: RESOURCE_GRAPH_QUOTA.windowMs,
      }),
    );
  return bounds;
}

function callsAndThrottled(arm: ArmRequestCounts, keyVault: Record<string, OperationCount[]>) {
  // A Storage write that Storage's bucket refused took an ARM write token first: counted once, as an ARM request.
  const armCalls = arm.limits
    .filter((count) => count.limit !== "storageWrites")
    .reduce((sum, count) => sum + count.served + count.throttled, 0);
  const armThrottled = arm.limits.reduce((sum, count) => sum + count.throttled, 0);
  const graphCalls = arm.resourceGraphQueries.reduce((sum, count) => sum + count.served + count.throttled, 0);
  const graphThrottled = arm.resourceGraphQueries.reduce((sum, count) => sum + count.throttled, 0);
  const keyVaultCounts = Object.values(keyVault).flat();
  const keyVaultCalls = keyVaultCounts.reduce((sum, count) => sum + count.served + count.throttled, 0);
  const keyVaultThrottled = keyVaultCounts.reduce((sum, count) => sum + count.throttled, 0);
  return {
    calls: armCalls + graphCalls + keyVaultCalls,
    throttled: armThrottled + graphThrottled + keyVaultThrottled,
    line:
      `ARM ${armCalls} (429: ${armThrottled}), Resource Graph ${graphCalls} (429: ${graphThrottled}), ` +
      `Key Vault ${keyVaultCalls} (429: ${keyVaultThrottled})`,
  };
}

/** The largest bound of each limit kind (over its scopes), for one line per kind. */
function perLimitLine(bounds: readonly LimitBound[]): string {
  const slowestOfKind = new Map<string, LimitBound>();
  for (const bound of bounds) {
    const known = slowestOfKind.get(bound.limit);
    if (!known || bound.boundMs > known.boundMs) slowestOfKind.set(bound.limit, bound);
  }
  return [...slowestOfKind.values()]
    .map((bound) => `${bound.limit} ${bound.requests} → ${(bound.boundMs / 1000).toFixed(1)} s`)
    .join("; ");
}

/** The turn the sweep gave a key's rotation (its input's notBeforeMs), read from the local host's task hub. */
function turnOf(stack: E2eStack, key: FleetKey): number | undefined {
  const inputJson = stack.host.durableStore.instances.get(rotationInstanceId(key))?.inputJson;
  if (!inputJson) return undefined;
  const { notBeforeMs } = JSON.parse(inputJson) as { notBeforeMs?: number };
  return notBeforeMs;
}

async function sweepSummary(stack: E2eStack, sweepId: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + SWEEP_TIMEOUT_MS;
  for (;;) {
    const response = await stack.call(`/api/sweeps/${sweepId}`);
    const body = (await response.json()) as Record<string, unknown>;
    if (body.status !== "Running" || Date.now() > deadline) return body;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

export async function run(args: string[]): Promise<void> {
  const keyCount = keysOption(args);
  const vaultNames = Array.from({ length: VAULTS }, (_, index) => `kv-fleet${index}`);
  const extraRsaKeys = Math.max(0, 2 * keyCount - COMMITTED_RSA_KEYS) + 8;
  const stack = await startE2eStack({
    vaultNames,
    eventSchema: "none",
    throttling: true,
    keyPool: { 2048: extraRsaKeys },
    log: () => undefined,
  });
  try {
    // Setup is not measured: limits off while seeding, keys generated ahead for every version the run makes.
    stack.keyVault.setThrottling(false);
    stack.arm.setThrottling(false);
    const setupStartedAt = performance.now();
    await stack.keyVault.warmKeyPool();
    const keys = await seedFleet(stack, vaultNames, keyCount);
    console.log(
      `fleet: ${keyCount} keys in ${VAULTS} vaults, each bound to ${TARGETS_PER_KEY} pinned storage accounts in one subscription ` +
        `(${keyCount * TARGETS_PER_KEY} accounts); set up in ${((performance.now() - setupStartedAt) / 1000).toFixed(1)} s`,
    );
    stack.keyVault.holdKeyPool(true);
    stack.keyVault.resetRequestCounts();
    stack.arm.resetRequestCounts();
    // The emulators' defaults from here on: Azure's limits (ARM_LIMITS, KEY_VAULT_LIMITS, RESOURCE_GRAPH_QUOTA).
    stack.keyVault.setThrottling(true);
    stack.arm.setThrottling(true);

    const watch = whenEveryKeyVerified(stack, keys);
    const cpuAtStart = process.cpuUsage();
    const scheduleAtStart = mainThreadSchedule();
    const posted = await stack.call("/api/sweeps", {
      method: "POST",
      body: JSON.stringify({ reason: "fleet benchmark: rotate everything now", force: true }),
    });
    const acceptedAtMs = performance.now();
    const acceptedAtClockMs = stack.clock.now();
    if (posted.status !== 202) throw new Error(`sweep refused: ${posted.status} ${await posted.text()}`);
    const { id: sweepId } = (await posted.json()) as { id: string };

    const timedOut = new Promise<"timeout">((resolve) =>
      setTimeout(() => resolve("timeout"), SWEEP_TIMEOUT_MS).unref(),
    );
    const finish = await Promise.race([watch.done.then(() => "done" as const), timedOut]);
    const lastVerifiedAtMs = Math.max(acceptedAtMs, ...watch.verifiedAtMs.values());
    const wallMs = lastVerifiedAtMs - acceptedAtMs;
    const armCounts = stack.arm.requestCounts();
    const keyVaultCounts = stack.keyVault.requestCounts();
    const cpu = process.cpuUsage(cpuAtStart);
    const schedule = scheduleBetween(scheduleAtStart, mainThreadSchedule());
    watch.stop();

    const bounds = boundsOf(armCounts, keyVaultCounts);
    const slowest = slowestLimit(bounds);
    const boundMs = slowest?.boundMs ?? 0;
    const { calls, throttled, line } = callsAndThrottled(armCounts, keyVaultCounts);
    const notVerified = keys.length - watch.verifiedAtMs.size;

    const summary = await sweepSummary(stack, sweepId);
    const failedRotations = keys.filter((key) => {
      const status = stack.host.getStatus(rotationInstanceId(key))?.customStatus as RotationStatus;
      return status?.status === "Failed" || status?.status === "PartiallyApplied";
    }).length;
    const sweepFailed = Array.isArray(summary.failed) ? summary.failed.length : 0;
    const turnsMs = keys
      .map((key) => turnOf(stack, key))
      .filter((turn): turn is number => turn !== undefined)
      .map((turn) => turn - acceptedAtClockMs)
      .sort((a, b) => a - b);

    console.log(
      `fleet: wall ${(wallMs / 1000).toFixed(1)} s, POST /api/sweeps accepted → every key's ${TARGETS_PER_KEY} targets Verified${finish === "timeout" ? " (TIMED OUT)" : ""}`,
    );
    if (slowest)
      console.log(
        `fleet: bound ${(boundMs / 1000).toFixed(1)} s, set by ${slowest.limit} (${slowest.scope}): ${slowest.formula}`,
      );
    console.log(`fleet: per limit (slowest scope): ${perLimitLine(bounds)}`);
    if (turnsMs.length > 0)
      console.log(
        `fleet: turns from ${(turnsMs[0] / 1000).toFixed(1)} s to ${(turnsMs[turnsMs.length - 1] / 1000).toFixed(1)} s after the POST ` +
          `(listing, one Resource Graph snapshot and the assessment of every key come first); the last key verified ` +
          `${((wallMs - turnsMs[turnsMs.length - 1]) / 1000).toFixed(2)} s after the last turn`,
      );
    console.log(`fleet: calls ${calls}: ${line}`);
    console.log(
      `fleet: 429s received ${throttled}; failures ${notVerified + failedRotations + sweepFailed} ` +
        `(${notVerified} keys not verified, ${failedRotations} rotations Failed or PartiallyApplied, ${sweepFailed} listed failed by the sweep)`,
    );
    console.log(
      `fleet: sweep ${String(summary.status)} (counts ${JSON.stringify(summary.counts)}), its drift check included`,
    );
    if (schedule)
      console.log(
        `fleet: main thread ${(schedule.runMs / 1000).toFixed(1)} s on a CPU and ${(schedule.waitMs / 1000).toFixed(1)} s waiting for one ` +
          `during the wall time (${(schedule.runMs / keyCount).toFixed(1)} ms on a CPU per rotation); process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, all threads`,
      );
    console.log(
      `fleet: 429 share ${calls === 0 ? "0.00" : ((100 * throttled) / calls).toFixed(2)} % (goal ≤ ${THROTTLED_SHARE_GOAL_PERCENT} %)`,
    );
    console.log(
      `fleet: ratio ${boundMs === 0 ? "n/a" : (wallMs / boundMs).toFixed(2)} (goal ≤ ${RATIO_GOAL})`,
    );
  } finally {
    await stack.stop();
  }
}
