// Benchmark: how fast revocation disables every version of a 50-version key against Key Vault's per-vault throttle limit.
import { fork } from "node:child_process";
import { loadavg } from "node:os";
import { KeyClient } from "@azure/keyvault-keys";
import { VirtualClock } from "../sandbox/clock";
import { sandboxCredential } from "../sandbox/identity";
import { startKeyVaultEmulator } from "../sandbox/keyvault";
import { testTls } from "../sandbox/tls";
import { createKeyVaultGateway } from "../src/lib/keys";
import { disableVersions, enableVersions, VERSION_SWITCH_CONCURRENCY } from "../src/lib/revocations";

const VAULT = "kv-bench-revoke";
const KEY_NAME = "cmk-fifty";
const VERSION_COUNT = 50;
const DEFAULT_RUNS = 7;
/** The goal: every version disabled within 1.2 × (versions ÷ the vault's rate limit). */
const GOAL = 1.2;
/** Set in the environment of the emulator process this benchmark forks. */
const EMULATOR_VARIABLE = "REVOCATION_BENCH_EMULATOR";

interface ThrottlingInfo {
  enabled: boolean;
  limits: { windowMs: number; other: number };
}

interface EmulatorReady {
  vaultUrl: string;
  versions: string[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function keyClient(vaultUrl: string): KeyClient {
  return new KeyClient(vaultUrl, sandboxCredential("bench-revocation"), {
    disableChallengeResourceVerification: true,
    tlsOptions: { ca: testTls().caPem },
  });
}

/** Child process: Key Vault is another service, so it gets its own event loop (and core) as in Azure. */
async function serveEmulator(): Promise<void> {
  const keyVault = await startKeyVaultEmulator({
    vaults: [{ name: VAULT }],
    clock: new VirtualClock(),
    throttling: true,
  });
  const client = keyClient(keyVault.vaultUrl(VAULT));
  // Seeding makes 50 creates, over the create limit (20 per 10 s): throttling is off only while seeding.
  keyVault.setThrottling(false, VAULT);
  const versions = [(await client.createRsaKey(KEY_NAME, { keySize: 2048 })).properties.version!];
  while (versions.length < VERSION_COUNT)
    versions.push((await client.rotateKey(KEY_NAME)).properties.version!);
  keyVault.setThrottling(true, VAULT);
  process.on("message", () => void keyVault.stop().then(() => process.exit(0)));
  const ready: EmulatorReady = { vaultUrl: keyVault.vaultUrl(VAULT), versions };
  process.send?.(ready);
}

function startEmulatorProcess(): Promise<{ ready: EmulatorReady; stop: () => void }> {
  const child = fork(__filename, [], { env: { ...process.env, [EMULATOR_VARIABLE]: "1" } });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the emulator process exited with ${code}`)));
    child.once("message", (ready) =>
      resolve({ ready: ready as EmulatorReady, stop: () => child.send("stop") }),
    );
  });
}

/** `npm run bench -- revocation [runs]`: disables the key's 50 versions `runs` times (re-enabling in between); median time. */
export async function run(args: string[]): Promise<void> {
  const runs = Number(args[0] ?? DEFAULT_RUNS) || DEFAULT_RUNS;
  const { ready, stop } = await startEmulatorProcess();
  try {
    const throttling = (await (
      await fetch(`${ready.vaultUrl}/_emulator/throttling`)
    ).json()) as ThrottlingInfo;
    if (!throttling.enabled) throw new Error("the vault's throttling should be on while measuring");
    const ratePerSecond = throttling.limits.other / (throttling.limits.windowMs / 1000);
    const boundMs = (VERSION_COUNT / ratePerSecond) * 1000;

    // The app's own gateway and version switching: exactly what the revokeKey activity runs.
    const client = keyClient(ready.vaultUrl);
    // It creates nothing, so the client without retries (for creates) can be the same one.
    const gateway = createKeyVaultGateway({ keyClient: () => client, keyClientWithoutRetries: () => client });
    const key = { vaultName: VAULT, keyName: KEY_NAME };
    // The one-off auth challenge and JIT warm-up are not part of a revocation's disabling.
    await gateway.getKey(key);
    await enableVersions(gateway, key, ready.versions, "warm-up");
    const timesMs: number[] = [];
    const cpuBefore = process.cpuUsage();
    for (let attempt = 1; attempt <= runs; attempt += 1) {
      const startedAt = process.hrtime.bigint();
      const results = await disableVersions(gateway, key, ready.versions);
      const elapsedMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
      const failed = results.filter((result) => !result.isDone);
      if (failed.length > 0)
        throw new Error(`${failed.length} versions were not disabled: ${failed[0].detail}`);
      timesMs.push(elapsedMs);
      console.log(`run ${attempt}: ${VERSION_COUNT} versions disabled in ${elapsedMs.toFixed(1)} ms`);
      await enableVersions(gateway, key, ready.versions, "bench");
    }
    const cpu = process.cpuUsage(cpuBefore);
    // Includes re-enabling between runs: twice the PATCHes of the measured part.
    const clientCpuMsPerPatch = (cpu.user + cpu.system) / 1000 / (runs * VERSION_COUNT * 2);
    const measuredMs = median(timesMs);
    console.log(
      `vault limit ${throttling.limits.other} operations per ${throttling.limits.windowMs / 1000} s (${ratePerSecond}/s, throttling on), concurrency ${VERSION_SWITCH_CONCURRENCY}, load average ${loadavg()[0].toFixed(1)}`,
    );
    console.log(
      `client CPU ${clientCpuMsPerPatch.toFixed(2)} ms per PATCH; fastest run ${Math.min(...timesMs).toFixed(1)} ms`,
    );
    console.log(
      `bound ${VERSION_COUNT} ÷ ${ratePerSecond}/s = ${boundMs.toFixed(1)} ms; median measured ${measuredMs.toFixed(1)} ms`,
    );
    console.log(`revocation: ratio ${(measuredMs / boundMs).toFixed(3)} (goal ≤ ${GOAL})`);
  } finally {
    stop();
  }
}

if (process.env[EMULATOR_VARIABLE] === "1" && process.send) {
  serveEmulator().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
