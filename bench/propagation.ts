// Benchmark: the app's overhead over the bare path. Round by round, interleaved: (a) the app, Key Vault event accepted →
// every target verified; (b) the same necessary calls made by hand with the SDK clients; both against the same emulators.
import { StorageManagementClient } from "@azure/arm-storage";
import { rotationInstanceId } from "../src/lib/keys";
import { sandboxCredential } from "../sandbox/identity";
import type { SeededStorageAccount } from "../sandbox/arm";
import { startE2eStack, type E2eStack } from "../test/support/e2eStack";
import { mainThreadSchedule, scheduleBetween, type ThreadSchedule } from "./support/mainThreadSchedule";
import { ratios, selfNoise, summarize, type Summary } from "./support/stats";

const KEY_VAULT_LATENCY_MS = 20;
const ARM_LATENCY_MS = 30;
const TARGETS = 3;
/** A p99 needs at least 100 samples to be more than the single slowest round. */
const DEFAULT_ROUNDS = 100;
/** Rounds of each path that warm tokens, connections and the JIT before measuring. */
const WARMUP_ROUNDS = 5;
const ROUND_TIMEOUT_MS = 30_000;
/** The key the app rotates. */
const KEY_NAME = "cmk-bench";
/** The key the bare path rotates by hand, with its own accounts, so neither path changes what the other reads. */
const BARE_KEY_NAME = "cmk-bench-bare";
/** The rounds that set the p99 and just above it. */
const SLOWEST_ROUNDS = 5;

/** A near-expiry event for the key's current version, as Key Vault would deliver it. */
function nearExpiryEvent(stack: E2eStack, version: string, round: number) {
  return [
    {
      id: `bench-${round}`,
      topic: stack.keyVault.vaults[stack.vaultName].armId,
      subject: KEY_NAME,
      eventType: "Microsoft.KeyVault.KeyNearExpiry",
      eventTime: new Date(stack.clock.now()).toISOString(),
      data: {
        Id: `${stack.vaultUrl()}/keys/${KEY_NAME}/${version}`,
        VaultName: stack.vaultName,
        ObjectType: "Key",
        ObjectName: KEY_NAME,
        Version: version,
        NBF: null,
        EXP: null,
      },
      dataVersion: "1",
      metadataVersion: "1",
    },
  ];
}

type CustomStatus = { newVersion?: string; targets?: { status: string }[] } | null | undefined;

function allVerified(status: CustomStatus, previous: string): boolean {
  return Boolean(
    status?.newVersion &&
    status.newVersion !== previous &&
    status.targets?.length === TARGETS &&
    status.targets.every((target) => target.status === "Verified"),
  );
}

/**
 * Resolves when the host stores a custom status showing every target Verified for a version other than `previous`.
 * The host pushes each new status (no polling), so the wait neither adds work to the process it measures nor keeps
 * its event loop artificially awake.
 */
function whenAllVerified(stack: E2eStack, instanceId: string, previous: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timeout = setTimeout(() => {
      stop();
      reject(new Error(`rotation ${instanceId} did not verify every target within ${ROUND_TIMEOUT_MS} ms`));
    }, ROUND_TIMEOUT_MS).unref();
    const stop = stack.host.onCustomStatus(instanceId, (status) => {
      if (!allVerified(status as CustomStatus, previous)) return;
      clearTimeout(timeout);
      stop();
      resolve();
    });
  });
}

/** One measured round: how long it took and what the main thread did meanwhile. */
type TimedRound = { ms: number; schedule: ThreadSchedule | undefined };

async function timedRound(work: () => Promise<unknown>): Promise<TimedRound> {
  const scheduleAtStart = mainThreadSchedule();
  const startedAt = performance.now();
  await work();
  const ms = performance.now() - startedAt;
  return { ms, schedule: scheduleBetween(scheduleAtStart, mainThreadSchedule()) };
}

/**
 * What the one thread running the app, the host, the emulators and Azurite did in a typical round and in the
 * slowest ones: work on a CPU, and time it was ready but waited for one (Linux only).
 */
function describeMainThread(what: string, rounds: TimedRound[]): string | undefined {
  const measured = rounds.flatMap((round) =>
    round.schedule ? [{ ms: round.ms, schedule: round.schedule }] : [],
  );
  if (measured.length === 0) return undefined;
  const byDuration = [...measured].sort((a, b) => a.ms - b.ms);
  const slowest = byDuration.slice(-SLOWEST_ROUNDS);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const typical = byDuration[Math.floor(byDuration.length / 2)].schedule;
  return (
    `propagation: main thread, ${what}: median round ${typical.runMs.toFixed(1)} ms on a CPU, ${typical.waitMs.toFixed(1)} ms waiting for one; ` +
    `slowest ${slowest.length} rounds ${mean(slowest.map((round) => round.schedule.runMs)).toFixed(1)} ms on a CPU, ` +
    `${mean(slowest.map((round) => round.schedule.waitMs)).toFixed(1)} ms waiting (mean)`
  );
}

async function currentVersion(stack: E2eStack): Promise<string> {
  return (await stack.operatorKeys().getKey(KEY_NAME)).properties.version!;
}

export async function run(args: string[]): Promise<void> {
  const rounds = Number(args[0] ?? DEFAULT_ROUNDS) || DEFAULT_ROUNDS;
  const stack = await startE2eStack({ eventSchema: "none", log: () => undefined });
  try {
    const keys = stack.operatorKeys();
    await keys.createRsaKey(KEY_NAME, { keySize: 2048 });
    await keys.createRsaKey(BARE_KEY_NAME, { keySize: 2048 });
    const firstVersion = await currentVersion(stack);
    const bareFirstVersion = (await keys.getKey(BARE_KEY_NAME)).properties.version!;
    const targets = [];
    const bareTargets: SeededStorageAccount[] = [];
    for (let index = 0; index < TARGETS; index += 1) {
      const seeded = await stack.arm.seedStorageAccount({
        name: `stbench${index}`,
        customerManagedKey: { vaultName: stack.vaultName, keyName: KEY_NAME, keyVersion: firstVersion },
      });
      targets.push({ kind: "storageAccount", resourceId: seeded.id, mode: "pinned" });
      bareTargets.push(
        await stack.arm.seedStorageAccount({
          name: `stbare${index}`,
          customerManagedKey: {
            vaultName: stack.vaultName,
            keyName: BARE_KEY_NAME,
            keyVersion: bareFirstVersion,
          },
        }),
      );
    }
    const bound = await stack.call(`/api/bindings/${stack.vaultName}/${KEY_NAME}`, {
      method: "PUT",
      body: JSON.stringify({ targets }),
    });
    if (bound.status !== 200) throw new Error(`binding refused: ${bound.status} ${await bound.text()}`);
    stack.keyVault.setFaults(undefined, { latencyMs: KEY_VAULT_LATENCY_MS });
    stack.arm.setFaults({ latencyMs: ARM_LATENCY_MS });

    const instanceId = rotationInstanceId({ vaultName: stack.vaultName, keyName: KEY_NAME });
    /** (a) The app: the Key Vault event accepted → the host's status shows every target Verified. */
    const appRound = async (round: number): Promise<TimedRound> => {
      const previous = await currentVersion(stack);
      // Watching starts before the event is sent, so no status change can be missed.
      const verified = whenAllVerified(stack, instanceId, previous);
      verified.catch(() => undefined); // awaited below; a refused event throws first
      const response = await fetch(stack.host.eventGridWebhookUrl("keyVaultEvents"), {
        method: "POST",
        headers: { "content-type": "application/json", "aeg-event-type": "Notification" },
        body: JSON.stringify(nearExpiryEvent(stack, previous, round)),
      });
      if (response.status >= 300)
        throw new Error(`event refused: ${response.status} ${await response.text()}`);
      const timed = await timedRound(() => verified);
      await stack.host.waitForInstance(instanceId, { timeoutMs: 30_000 });
      return timed;
    };

    const storage = new StorageManagementClient(
      sandboxCredential("bench-operator"),
      stack.arm.subscriptionId,
      {
        endpoint: stack.arm.url,
        credentials: { scopes: [`${stack.arm.url}/.default`] },
      },
    );
    /**
     * (b) The bare path: the calls a correct rotation cannot do without, made with the SDK clients directly.
     * Create the key version; then for each target, in parallel: read its reference, write the new version,
     * read back the version in use.
     */
    const bareRound = () =>
      timedRound(async () => {
        const version = (await keys.createRsaKey(BARE_KEY_NAME, { keySize: 2048 })).properties.version!;
        await Promise.all(
          bareTargets.map(async (target) => {
            const account = await storage.storageAccounts.getProperties(target.resourceGroup, target.name);
            const reference = account.encryption?.keyVaultProperties;
            if (!reference?.keyName || !reference.keyVaultUri)
              throw new Error(`${target.name} has no Key Vault reference`);
            await storage.storageAccounts.update(target.resourceGroup, target.name, {
              encryption: {
                keySource: "Microsoft.Keyvault",
                keyVaultProperties: {
                  keyName: reference.keyName,
                  keyVersion: version,
                  keyVaultUri: reference.keyVaultUri,
                },
              },
            });
            const readBack = await storage.storageAccounts.getProperties(target.resourceGroup, target.name);
            const inUse = readBack.encryption?.keyVaultProperties?.currentVersionedKeyIdentifier;
            if (!inUse?.endsWith(`/${version}`))
              throw new Error(`${target.name} uses ${inUse ?? "no version"}, not ${version}`);
          }),
        );
      });

    // Interleaved round by round, so both paths see the same machine at the same moments.
    const app: TimedRound[] = [];
    const bare: TimedRound[] = [];
    for (let round = 0; round < WARMUP_ROUNDS + rounds; round += 1) {
      const appTimed = await appRound(round);
      const bareTimed = await bareRound();
      if (round < WARMUP_ROUNDS) continue;
      app.push(appTimed);
      bare.push(bareTimed);
    }

    const appStats = summarize(app.map((round) => round.ms));
    const bareStats = summarize(bare.map((round) => round.ms));
    const ratio = ratios(appStats, bareStats);
    const noise = selfNoise(bare.map((round) => round.ms));
    const figures = (stats: Summary) => `p50 ${stats.p50.toFixed(1)} ms, p99 ${stats.p99.toFixed(1)} ms`;
    console.log(
      `propagation: ${rounds} rounds of each path after ${WARMUP_ROUNDS} warm-up ones, interleaved; ${TARGETS} pinned storage targets, Key Vault +${KEY_VAULT_LATENCY_MS} ms, ARM +${ARM_LATENCY_MS} ms per request`,
    );
    console.log(`propagation: app, event accepted → every target verified: ${figures(appStats)}`);
    console.log(
      `propagation: bare, create the version + per target in parallel read, write, read back: ${figures(bareStats)}`,
    );
    console.log(
      `propagation: bare self-noise, first ${Math.floor(bare.length / 2)} rounds ÷ last ${bare.length - Math.floor(bare.length / 2)}: ` +
        `p50 ${noise.p50.toFixed(2)}, p99 ${noise.p99.toFixed(2)} (what the machine alone does to a ratio)`,
    );
    const appDrift = selfNoise(app.map((round) => round.ms));
    console.log(
      `propagation: app, first half ÷ last half: p50 ${appDrift.p50.toFixed(2)}, p99 ${appDrift.p99.toFixed(2)} (set beside the bare self-noise: lower means the app slowed during the run)`,
    );
    for (const line of [describeMainThread("bare path", bare), describeMainThread("app", app)])
      if (line) console.log(line);
    console.log(`propagation: p50 ratio ${ratio.p50.toFixed(2)} (goal ≤ 1.05)`);
    console.log(`propagation: ratio ${ratio.p99.toFixed(2)} (goal ≤ 1.10)`);
  } finally {
    stack.keyVault.clearFaults();
    stack.arm.clearFaults();
    await stack.stop();
  }
}
