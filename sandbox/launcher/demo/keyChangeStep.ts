// Demo step: change ci-data-cmk to a new key in the RBAC vault with `cmk-rotator change-key`. Preflight refuses on
// the consumers' missing role, the demo grants it through ARM exactly as the printed line says, the change stops
// PartiallyApplied on the new policy's identity, the demo grants that too and runs the same command to resume.
import type { CliIo } from "../../../cli/io";
import { runCli } from "../../../cli/runCli";
import type { RunningSandbox } from "../startSandbox";
import { renderConsumerKeys } from "./consumerKeys";
import { vaultClient } from "./demoClients";
import { grantRole, roleAssignmentCommandsIn } from "./roleGrants";
import type { DemoEstate } from "./seedDemoEstate";

const DAY_MS = 86_400_000;
/** The new key: RSA 3072 (Power Platform takes 2048 or 3072, Storage up to 4096) in the vault that enforces RBAC. */
export const NEW_KEY_NAME = "ci-data-eu-cmk";
/** A refusal, a stop on the new policy's role, then the completed change: one more is a bug, not a demo. */
const MAX_RUNS = 4;

type Log = (line: string) => void;

export async function changeToKeyInRbacVault(
  sandbox: RunningSandbox,
  estate: DemoEstate,
  io: CliIo,
  log: Log,
): Promise<string> {
  const vaultName = estate.secondKey.vaultName;
  await vaultClient(sandbox.state.keyVaults[vaultName]).createRsaKey(NEW_KEY_NAME, {
    keySize: 3072,
    expiresOn: new Date(sandbox.clock.now() + 365 * DAY_MS),
  });
  log(`   created ${vaultName}/${NEW_KEY_NAME} (RSA 3072) in the vault that enforces Azure RBAC`);
  const args = [
    "change-key",
    `${estate.primaryKey.vaultName}/${estate.primaryKey.keyName}`,
    `${vaultName}/${NEW_KEY_NAME}`,
    "--reason",
    "demo: move to the EU vault",
    "--wait",
  ];
  // Link and unlink operations run in virtual time: each poll moves the clock on instead of waiting for real.
  const sleep = async (ms: number) => {
    await sandbox.clock.advance(ms);
    await sandbox.host.whenIdle(10_000);
  };
  for (let run = 1; run <= MAX_RUNS; run++) {
    log(`   cmk-rotator ${args.map((arg) => (/\s/.test(arg) ? `"${arg}"` : arg)).join(" ")}`);
    let output = "";
    const exitCode = await runCli(
      [
        ...args,
        "--progress",
        "--interval",
        "0.5",
        "--timeout",
        "120",
        "--base-url",
        sandbox.state.functionsBaseUrl,
        "--function-key",
        sandbox.state.functionKey,
      ],
      { ...io, stdout: { write: (text: string) => (output += text) }, sleep },
    );
    log(output.trimEnd().replace(/^/gm, "    "));
    log(`   exit code ${exitCode}`);
    if (exitCode === 0) {
      log("   which consumer uses which key now:");
      log((await renderConsumerKeys(sandbox)).replace(/^/gm, "    "));
      return run === 1 ? "Completed" : `Completed after ${run - 1} grant round(s)`;
    }
    const grants = roleAssignmentCommandsIn(output);
    if (grants.length === 0) return `stopped with exit code ${exitCode}, no role to grant`;
    for (const grant of grants) {
      await grantRole(sandbox.state, grant);
      log(
        `   granted "${grant.roleName}" to ${grant.principalId} on ${grant.scope.split("/").pop()}, as printed (arm-authorization roleAssignments.create)`,
      );
    }
  }
  return `not completed after ${MAX_RUNS} runs`;
}
