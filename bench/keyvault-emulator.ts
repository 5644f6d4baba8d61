// Benchmark: key operations per second the Key Vault emulator serves (get, create) against Key Vault's per-vault throttle limits.
import { fork } from "node:child_process";
import { Agent, request } from "node:https";
import { KeyClient } from "@azure/keyvault-keys";
import { VirtualClock } from "../sandbox/clock";
import { mintSandboxToken, sandboxCredential } from "../sandbox/identity";
import { startKeyVaultEmulator } from "../sandbox/keyvault";
import { testTls } from "../sandbox/tls";

/** Key Vault's published per-vault limits per 10 seconds (software-protected RSA-2048). */
const CREATE_LIMIT_PER_SECOND = 20 / 10;
const GET_LIMIT_PER_SECOND = 4000 / 10;
/** Set in the environment of the client processes this benchmark forks. */
const CLIENT_JOB_VARIABLE = "KEYVAULT_BENCH_CLIENT_JOB";

interface ClientJob {
  vaultUrl: string;
  operation: "get" | "create";
  /** "sdk": the official KeyClient; "wire": the same GET the SDK sends, on a lean keep-alive client. */
  client: "sdk" | "wire";
  durationMs: number;
  concurrency: number;
  namePrefix: string;
}

interface PhaseResult {
  opsPerSecond: number;
  /** CPU the emulator's process spent per served operation, in milliseconds. */
  emulatorCpuMsPerOp: number;
}

/** Runs `operation` from `concurrency` loops for `durationMs`; returns how many completed. */
async function drive(
  durationMs: number,
  concurrency: number,
  operation: (i: number) => Promise<unknown>,
): Promise<number> {
  let completed = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() - started < durationMs) {
        await operation(completed);
        completed++;
      }
    }),
  );
  return completed;
}

interface ClientResult {
  completed: number;
  startedAtMs: number;
  finishedAtMs: number;
}

/** Sends the exact request KeyClient.getKey sends, over one keep-alive agent, and checks for 200. */
function wireGet(vaultUrl: string): () => Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16, ca: testTls().caPem });
  const headers = {
    authorization: `Bearer ${mintSandboxToken({ oid: "bench", aud: "https://vault.azure.net" })}`,
  };
  const url = `${vaultUrl}/keys/cmk-bench/?api-version=2025-07-01`;
  return () =>
    new Promise<void>((resolve, reject) => {
      const outgoing = request(url, { agent, headers }, (response) => {
        response.resume();
        response.on("end", () =>
          response.statusCode === 200 ? resolve() : reject(new Error(`GET answered ${response.statusCode}`)),
        );
      });
      outgoing.on("error", reject);
      outgoing.end();
    });
}

/** A client process of its own, so the client's CPU cost is not counted as the emulator's. */
async function runClient(job: ClientJob): Promise<ClientResult> {
  if (job.client === "wire") {
    const get = wireGet(job.vaultUrl);
    await get();
    const startedAtMs = Date.now();
    const completed = await drive(job.durationMs, job.concurrency, get);
    return { completed, startedAtMs, finishedAtMs: Date.now() };
  }
  const keys = new KeyClient(job.vaultUrl, sandboxCredential("bench"), {
    disableChallengeResourceVerification: true,
    tlsOptions: { ca: testTls().caPem },
  });
  await keys.getKey("cmk-bench");
  const startedAtMs = Date.now();
  const completed = await drive(job.durationMs, job.concurrency, (i) =>
    job.operation === "get"
      ? keys.getKey("cmk-bench")
      : keys.createRsaKey(`${job.namePrefix}-${i}`, { keySize: 2048 }),
  );
  return { completed, startedAtMs, finishedAtMs: Date.now() };
}

async function phase(
  vaultUrl: string,
  operation: ClientJob["operation"],
  client: ClientJob["client"],
  clients: number,
  durationMs: number,
): Promise<PhaseResult> {
  const cpuBefore = process.cpuUsage();
  const results = await Promise.all(
    Array.from(
      { length: clients },
      (_, index) =>
        new Promise<ClientResult>((resolve, reject) => {
          const job: ClientJob = {
            vaultUrl,
            operation,
            client,
            durationMs,
            concurrency: 8,
            namePrefix: `cmk-${operation}-${index}`,
          };
          const child = fork(__filename, [], {
            env: { ...process.env, [CLIENT_JOB_VARIABLE]: JSON.stringify(job) },
          });
          child.once("message", (result) => resolve(result as ClientResult));
          child.once("error", reject);
          child.once("exit", (code) => {
            if (code !== 0) reject(new Error(`benchmark client exited with code ${code}`));
          });
        }),
    ),
  );
  // Each client's rate over its own driving window (process start-up excluded); the clients ran side by side.
  const opsPerSecond = results.reduce(
    (sum, result) => sum + result.completed / (Math.max(result.finishedAtMs - result.startedAtMs, 1) / 1000),
    0,
  );
  const cpu = process.cpuUsage(cpuBefore);
  const served = results.reduce((sum, result) => sum + result.completed, 0);
  return {
    opsPerSecond,
    emulatorCpuMsPerOp: (cpu.user + cpu.system) / 1000 / Math.max(served, 1),
  };
}

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  const value = index === -1 ? NaN : Number(args[index + 1]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export async function run(args: string[]): Promise<void> {
  const durationMs = option(args, "seconds", 4) * 1000;
  const clients = option(args, "clients", 2);
  const clock = new VirtualClock();
  const emulator = await startKeyVaultEmulator({
    vaults: [{ name: "kv-bench" }],
    clock,
    throttling: false,
    keyPool: { 2048: 64 },
  });
  try {
    const vaultUrl = emulator.vaultUrl("kv-bench");
    const keys = new KeyClient(vaultUrl, sandboxCredential("bench"), {
      disableChallengeResourceVerification: true,
      tlsOptions: { ca: testTls().caPem },
    });
    await keys.createRsaKey("cmk-bench");
    await emulator.warmKeyPool();
    // Gets: the served rate is measured with the SDK's exact request on a lean client, because two
    // KeyClient processes saturate this 2-core machine before the emulator does; the KeyClient rate is printed too.
    const sdkGets = await phase(vaultUrl, "get", "sdk", clients, durationMs);
    const gets = await phase(vaultUrl, "get", "wire", clients, durationMs);
    const creates = await phase(vaultUrl, "create", "sdk", clients, durationMs);
    const getRatio = gets.opsPerSecond / GET_LIMIT_PER_SECOND;
    const createRatio = creates.opsPerSecond / CREATE_LIMIT_PER_SECOND;
    for (const [label, result, limit] of [
      ["get through KeyClient", sdkGets, GET_LIMIT_PER_SECOND],
      ["get, same request on a keep-alive client", gets, GET_LIMIT_PER_SECOND],
      ["create RSA-2048 through KeyClient", creates, CREATE_LIMIT_PER_SECOND],
    ] as const) {
      // CPU per operation measures the emulator alone, whatever else loads the machine.
      const perCore = 1000 / Math.max(result.emulatorCpuMsPerOp, 0.001);
      console.log(
        `keyvault-emulator: ${label}: ${result.opsPerSecond.toFixed(1)} ops/s (${clients} client processes); ` +
          `emulator CPU ${result.emulatorCpuMsPerOp.toFixed(2)} ms/op (≈ ${perCore.toFixed(0)} ops/s per core); ` +
          `limit ${limit}/s, ratio ${(result.opsPerSecond / limit).toFixed(1)}`,
      );
    }
    console.log(
      `keyvault-emulator: get ratio ${getRatio.toFixed(1)}, create ratio ${createRatio.toFixed(1)}`,
    );
    console.log(`keyvault-emulator: ratio ${Math.min(getRatio, createRatio).toFixed(1)} (goal ≥ 10)`);
  } finally {
    await emulator.stop();
    clock.clearAll();
  }
}

const clientJob = process.env[CLIENT_JOB_VARIABLE];
if (clientJob && process.send) {
  runClient(JSON.parse(clientJob) as ClientJob).then(
    (completed) => process.send?.(completed, () => process.exit(0)),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
