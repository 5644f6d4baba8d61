// The sandbox state file (docs/sandbox.md): where it lives, its exact fields, writing it when ready and removing it on stop.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export interface SandboxState {
  functionsBaseUrl: string;
  functionKey: string;
  eventGridWebhookUrl: string;
  revocationSecret: string;
  caCertPath: string;
  subscriptionId: string;
  resourceGroup: string;
  armEndpoint: string;
  keyVaults: Record<string, string>;
  /** Vaults that enforce Azure RBAC: keys there need a role assignment (ARM roleAssignments). */
  rbacVaults: string[];
  tableEndpoint: string;
  controlUrl: string;
}

/** CMK_SANDBOX_DIR, else ./.sandbox under the working directory (where `npm start` runs). */
export function sandboxStateDir(env: NodeJS.ProcessEnv, cwd: string): string {
  const configured = env.CMK_SANDBOX_DIR?.trim();
  return configured ? resolve(cwd, configured) : join(cwd, ".sandbox");
}

export function writeSandboxState(dir: string, state: SandboxState): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "sandbox.json");
  // Holds the sandbox's keys: readable by the owner only.
  writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return path;
}

/** A stopped sandbox leaves no state file behind, so the CLI never talks to a dead one. */
export function removeSandboxState(dir: string): void {
  rmSync(join(dir, "sandbox.json"), { force: true });
}
