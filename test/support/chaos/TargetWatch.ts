// Reads every target's key version and every key's versions through the official SDK clients, and remembers each
// time a target stood on a disabled or missing version, or a disabled version was still in use.
import { ResourceManagementClient } from "@azure/arm-resources";
import { StorageManagementClient } from "@azure/arm-storage";
import { sandboxCredential } from "../../../sandbox/identity";
import type { E2eStack } from "../e2eStack";
import type { ChaosKey, ChaosTarget } from "./chaosEstate";
import { mapWithConcurrency } from "../../../src/lib/revocations";

const OPERATOR = "chaos-operator";
const POLICY_API_VERSION = "2020-10-30";

export interface KeyVersionState {
  version: string;
  enabled: boolean;
  tags: Record<string, string>;
}

/** The versions a target pins or uses right now (a pinned storage account has both; they may differ). */
export interface TargetVersions {
  target: ChaosTarget;
  versions: string[];
}

function resourceGroupOf(resourceId: string): string {
  const match = /\/resourceGroups\/([^/]+)\//i.exec(resourceId);
  if (!match) throw new Error(`no resource group in ${resourceId}`);
  return match[1];
}

function versionOfKid(kid: string | undefined): string | undefined {
  return kid ? kid.replace(/\/+$/, "").split("/").pop() : undefined;
}

export class TargetWatch {
  /** `<resourceId> on <version> (<state>)`: each target seen on a disabled or missing version. */
  readonly targetsOnBadVersion = new Set<string>();
  /** `<vault>/<key>/<version>` → who used it: each disabled version seen still in use. */
  readonly disabledVersionsInUse = new Map<string, string>();
  private readonly storage: StorageManagementClient;
  private readonly resources: ResourceManagementClient;

  constructor(
    private readonly stack: E2eStack,
    private readonly keys: readonly ChaosKey[],
  ) {
    const credential = sandboxCredential(OPERATOR);
    const scopes = [`${stack.arm.url}/.default`];
    this.storage = new StorageManagementClient(credential, stack.arm.subscriptionId, {
      endpoint: stack.arm.url,
      credentials: { scopes },
    });
    this.resources = new ResourceManagementClient(credential, stack.arm.subscriptionId, {
      endpoint: stack.arm.url,
      credentials: { scopes },
    });
  }

  /** Every version of the key with its enabled flag and tags, as an operator lists them. */
  async versionsOf(key: ChaosKey): Promise<KeyVersionState[]> {
    const versions: KeyVersionState[] = [];
    for await (const properties of this.stack
      .operatorKeys(key.vaultName)
      .listPropertiesOfKeyVersions(key.keyName)) {
      versions.push({
        version: properties.version!,
        enabled: properties.enabled !== false,
        tags: properties.tags ?? {},
      });
    }
    return versions;
  }

  /** What each target of the key pins or uses, read from ARM. */
  async targetVersionsOf(key: ChaosKey): Promise<TargetVersions[]> {
    return Promise.all(
      key.targets.map(async (target) => {
        if (target.kind === "storageAccount") {
          const account = await this.storage.storageAccounts.getProperties(
            resourceGroupOf(target.resourceId),
            target.name,
          );
          const properties = account.encryption?.keyVaultProperties;
          const versions = [properties?.keyVersion, versionOfKid(properties?.currentVersionedKeyIdentifier)];
          return { target, versions: [...new Set(versions.filter((version) => !!version))] as string[] };
        }
        const policy = await this.resources.resources.getById(target.resourceId, POLICY_API_VERSION);
        const encryption = (
          policy.properties as { encryption?: { keyVault?: { key?: { version?: string } } } }
        )?.encryption;
        const version = encryption?.keyVault?.key?.version;
        return { target, versions: version ? [version] : [] };
      }),
    );
  }

  /** Reads every key and target once and remembers what is wrong now. */
  async observe(): Promise<void> {
    await mapWithConcurrency(this.keys, 6, async (key) => {
      const [versions, targets] = await Promise.all([this.versionsOf(key), this.targetVersionsOf(key)]);
      this.judge(key, versions, targets);
    });
  }

  private judge(key: ChaosKey, versions: KeyVersionState[], targets: TargetVersions[]): void {
    const byVersion = new Map(versions.map((state) => [state.version, state]));
    for (const { target, versions: used } of targets) {
      for (const version of used) {
        const state = byVersion.get(version);
        if (!state) this.targetsOnBadVersion.add(`${target.resourceId} on ${version} (missing)`);
        else if (!state.enabled)
          this.targetsOnBadVersion.add(`${target.resourceId} on ${version} (disabled)`);
      }
    }
    for (const state of versions) {
      if (state.enabled) continue;
      const users = targets.filter(({ versions: used }) => used.includes(state.version));
      if (users.length > 0)
        this.disabledVersionsInUse.set(
          `${key.vaultName}/${key.keyName}/${state.version}`,
          users.map(({ target }) => target.name).join(", "),
        );
    }
  }
}
