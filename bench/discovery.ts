// Benchmark: discovery of one key's consumers among 5,000 storage accounts and 200 policies in 3 subscriptions,
// against the same Resource Graph pages fetched by a bare client in the same run, interleaved.
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { VirtualClock } from "../sandbox/clock";
import { startArmEmulator } from "../sandbox/arm";
import { sandboxCredential } from "../sandbox/identity";
import { startKeyVaultEmulator } from "../sandbox/keyvault";
import { testTls } from "../sandbox/tls";
import { enterprisePolicyQuery, storageAccountQuery } from "../src/lib/discovery";
import { createServices } from "../src/lib/services";
import { loadSettings } from "../src/lib/settings";
import { ratios, selfNoise, summarize } from "./support/stats";

const VAULT = "kv-bench-disc";
const KEY = "cmk-found";
const OTHER_KEY = "cmk-other";
const ACCOUNTS = 5_000;
const ACCOUNTS_USING_KEY = 1_500;
const POLICIES = 200;
const POLICIES_USING_KEY = 50;
const SUBSCRIPTIONS = 3;
const WARM_UP = 3;
const DEFAULT_ROUNDS = 20;
const GOAL = 1.2;

const ms = (startNs: bigint) => Number(process.hrtime.bigint() - startNs) / 1e6;

export async function run(args: string[]): Promise<void> {
  const rounds = Number(args[0] ?? DEFAULT_ROUNDS);
  const clock = new VirtualClock();
  const keyVault = await startKeyVaultEmulator({ vaults: [{ name: VAULT }], clock, throttling: false });
  const vaultUrl = keyVault.vaultUrl(VAULT);
  const operator = sandboxCredential("bench-discovery-operator");
  const { KeyClient } = await import("@azure/keyvault-keys");
  const keys = new KeyClient(vaultUrl, operator, {
    disableChallengeResourceVerification: true,
    tlsOptions: { ca: testTls().caPem },
  });
  const found = await keys.createRsaKey(KEY, { keySize: 2048 });
  await keys.createRsaKey(OTHER_KEY, { keySize: 2048 });
  const arm = await startArmEmulator({
    clock,
    keyVaults: { [VAULT]: vaultUrl },
    throttling: false,
    additionalSubscriptionIds: Array.from(
      { length: SUBSCRIPTIONS - 1 },
      (_, index) => `00000000-0000-4000-8000-00000000b${String(index).padStart(3, "0")}`,
    ),
  });
  // The bare client never reads the quota headers; the app waits when they say 0 remain. Raising the
  // quota keeps both paths on the same terms: this measures the app's overhead, not the 5-s window.
  arm.setResourceGraphQuota({ queriesPerWindow: 1_000_000, windowMs: 5_000 });
  try {
    await arm.seedStorageAccounts({
      count: ACCOUNTS_USING_KEY,
      namePrefix: "stfound",
      customerManagedKey: { vaultName: VAULT, keyName: KEY, keyVersion: found.properties.version },
    });
    await arm.seedStorageAccounts({
      count: ACCOUNTS - ACCOUNTS_USING_KEY,
      namePrefix: "stother",
      customerManagedKey: { vaultName: VAULT, keyName: OTHER_KEY },
    });
    await arm.seedEnterprisePolicies({
      count: POLICIES_USING_KEY,
      namePrefix: "ep-found",
      keyVaultName: VAULT,
      keyName: KEY,
    });
    await arm.seedEnterprisePolicies({
      count: POLICIES - POLICIES_USING_KEY,
      namePrefix: "ep-other",
      keyVaultName: VAULT,
      keyName: OTHER_KEY,
    });
    const client = (principal: string) =>
      new ResourceGraphClient(sandboxCredential(principal), {
        endpoint: arm.url,
        credentials: { scopes: [`${arm.url}/.default`] },
        tlsOptions: { ca: testTls().caPem },
      });
    // The app's discovery as the app wires it (settings → one client factory → services).
    const { discovery } = createServices(
      loadSettings({
        AzureWebJobsStorage: "UseDevelopmentStorage=true",
        CMK_ALLOWED_VAULTS: `${VAULT}=${vaultUrl}`,
        CMK_ARM_ENDPOINT: arm.url,
        CMK_SWEEP_SCHEDULE: "0 0 0 * * *",
      }),
      { credential: sandboxCredential("bench-discovery-app"), caPem: testTls().caPem },
    );
    const bare = client("bench-discovery-bare");
    const filter = { vaultName: VAULT, vaultUrl, keyName: KEY };
    const queries = [storageAccountQuery(filter), enterprisePolicyQuery(filter)];

    const appRound = async () => {
      const start = process.hrtime.bigint();
      const consumers = await discovery.find({ vaultName: VAULT, keyName: KEY });
      return { ms: ms(start), rows: consumers.length };
    };
    const bareRound = async () => {
      const start = process.hrtime.bigint();
      let rows = 0;
      for (const query of queries) {
        let skipToken: string | undefined;
        do {
          const page = await bare.resources({ query, options: { top: 1000, skipToken } });
          rows += (page.data as unknown[]).length;
          skipToken = page.skipToken;
        } while (skipToken);
      }
      return { ms: ms(start), rows };
    };

    const app: number[] = [];
    const baseline: number[] = [];
    for (let round = 0; round < WARM_UP + rounds; round += 1) {
      const a = await appRound();
      const b = await bareRound();
      if (a.rows !== ACCOUNTS_USING_KEY + POLICIES_USING_KEY || b.rows !== a.rows)
        throw new Error(
          `discovery found ${a.rows} consumers, the bare pages ${b.rows}; expected ${ACCOUNTS_USING_KEY + POLICIES_USING_KEY}`,
        );
      if (round < WARM_UP) continue;
      app.push(a.ms);
      baseline.push(b.ms);
    }
    const appSummary = summarize(app);
    const bareSummary = summarize(baseline);
    const ratio = ratios(appSummary, bareSummary);
    const noise = selfNoise(baseline);
    console.log(
      `estate: ${ACCOUNTS} storage accounts and ${POLICIES} policies in ${SUBSCRIPTIONS} subscriptions; ${ACCOUNTS_USING_KEY + POLICIES_USING_KEY} use ${VAULT}/${KEY} (2 + 1 pages of at most 1,000)`,
    );
    console.log(`rounds: ${rounds} each, interleaved, after ${WARM_UP} warm-up`);
    console.log(
      `app (discovery.find): p50 ${appSummary.p50.toFixed(1)} ms, p99 ${appSummary.p99.toFixed(1)} ms`,
    );
    console.log(
      `bare (same pages):    p50 ${bareSummary.p50.toFixed(1)} ms, p99 ${bareSummary.p99.toFixed(1)} ms`,
    );
    console.log(
      `bare self-noise (first half ÷ second half): p50 ${noise.p50.toFixed(2)}, p99 ${noise.p99.toFixed(2)}`,
    );
    console.log(`discovery: p99 ratio ${ratio.p99.toFixed(2)}`);
    console.log(`discovery: ratio ${ratio.p50.toFixed(2)} (goal ≤ ${GOAL})`);
  } finally {
    await arm.stop();
    await keyVault.stop();
  }
}
