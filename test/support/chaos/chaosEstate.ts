// The estate a chaos run rotates: keys in several vaults, each bound to pinned (and some versionless) storage
// accounts, some also to Power Platform policies, seeded through the emulators and the app's binding door.
import { putBinding, type E2eStack } from "../e2eStack";

export type TargetKind = "storageAccount" | "powerPlatformPolicy";

export interface ChaosTarget {
  kind: TargetKind;
  /** Storage account or policy name (the last segment of the resource id). */
  name: string;
  resourceId: string;
  mode: "pinned" | "versionless";
  /** A policy linked to an environment: the service cannot move it (ActionRequired), so it keeps its version. */
  isLinked?: boolean;
}

export interface ChaosKey {
  vaultName: string;
  keyName: string;
  /** Versionless key id, as POST /api/rotations takes it. */
  keyId: string;
  seededVersion: string;
  targets: ChaosTarget[];
  retireAfter?: string;
}

/** The shortest retireAfter the binding accepts with storage targets: retirements come due within a round. */
export const SHORT_RETIRE_AFTER = "P2D";
export const SHORT_RETIRE_AFTER_MS = 2 * 86_400_000;

/** New versions live a year: no near-expiry event fires during a run, so every rotation is one the driver asked for. */
const EXPIRES_AFTER = "P1Y";
const YEAR_MS = 365 * 86_400_000;

/**
 * Eight shapes, round-robin. Retired two days after each rotation: two pinned accounts; a pinned and a
 * versionless account (the latter picks a version up only daily, so its rotation checks it hourly for up
 * to 26 h; three pinned accounts without versionless ones); three pinned accounts. Retired after 28 days,
 * as Power Platform requires: a pinned account with a pinned policy and a pinned policy linked to an
 * environment (the service leaves that one to an operator, so it keeps its version); a pinned account with
 * a pinned policy. Never retired: two pinned accounts (twice).
 */
function shapeOf(
  index: number,
  withVersionless: boolean,
): { targets: Array<Omit<ChaosTarget, "resourceId">>; retireAfter?: string } {
  const tag = String(index).padStart(3, "0");
  const account = (suffix: string, mode: ChaosTarget["mode"] = "pinned") =>
    ({ kind: "storageAccount", name: `stchaos${tag}${suffix}`, mode }) as const;
  const policy = (suffix: string, isLinked = false) =>
    ({ kind: "powerPlatformPolicy", name: `ep-chaos-${tag}${suffix}`, mode: "pinned", isLinked }) as const;
  switch (index % 8) {
    case 0:
      return { targets: [account("a"), account("b")], retireAfter: SHORT_RETIRE_AFTER };
    case 1:
      return {
        targets: withVersionless
          ? [account("a"), account("v", "versionless")]
          : [account("a"), account("b"), account("c")],
        retireAfter: SHORT_RETIRE_AFTER,
      };
    case 2:
      return { targets: [account("a"), policy(""), policy("-linked", true)], retireAfter: "P28D" };
    case 4:
      return { targets: [account("a"), account("b"), account("c")], retireAfter: SHORT_RETIRE_AFTER };
    case 5:
      return { targets: [account("a"), account("b")], retireAfter: SHORT_RETIRE_AFTER };
    case 6:
      return { targets: [account("a"), policy("")], retireAfter: "P28D" };
    default:
      return { targets: [account("a"), account("b")] };
  }
}

/**
 * Seeds `keyCount` keys round-robin over the stack's vaults (faults must be off while seeding). Without
 * versionless accounts (which wait up to a day for the daily pick-up) the second shape has three pinned ones.
 */
export async function seedChaosEstate(
  stack: E2eStack,
  vaultNames: string[],
  keyCount: number,
  options: { withVersionless: boolean },
): Promise<ChaosKey[]> {
  const keys: ChaosKey[] = [];
  for (let index = 0; index < keyCount; index++) {
    const vaultName = vaultNames[index % vaultNames.length];
    const keyName = `cmk-chaos-${String(index).padStart(3, "0")}`;
    const created = await stack.operatorKeys(vaultName).createRsaKey(keyName, {
      keySize: 2048,
      expiresOn: new Date(stack.clock.now() + YEAR_MS),
    });
    const seededVersion = created.properties.version!;
    const shape = shapeOf(index, options.withVersionless);
    const targets: ChaosTarget[] = [];
    for (const target of shape.targets) {
      const keyVersion = target.mode === "pinned" ? seededVersion : undefined;
      if (target.kind === "storageAccount") {
        const seeded = await stack.arm.seedStorageAccount({
          name: target.name,
          customerManagedKey: { vaultName, keyName, keyVersion: keyVersion ?? "" },
        });
        targets.push({ ...target, resourceId: seeded.id });
      } else {
        const seeded = await stack.arm.seedEnterprisePolicy({
          name: target.name,
          keyVaultName: vaultName,
          keyName,
          ...(keyVersion ? { keyVersion } : {}),
        });
        if (target.isLinked)
          await stack.arm.seedEnvironment({ displayName: `${target.name}-env`, policyId: seeded.id });
        targets.push({ ...target, resourceId: seeded.id });
      }
    }
    await putBinding(stack, vaultName, keyName, {
      targets: targets.map(({ kind, resourceId, mode }) => ({ kind, resourceId, mode })),
      policy: {
        expiresAfter: EXPIRES_AFTER,
        ...(shape.retireAfter ? { retireAfter: shape.retireAfter } : {}),
      },
    });
    keys.push({
      vaultName,
      keyName,
      keyId: `${stack.vaultUrl(vaultName)}/keys/${keyName}`,
      seededVersion,
      targets,
      ...(shape.retireAfter ? { retireAfter: shape.retireAfter } : {}),
    });
  }
  return keys;
}
