// Validates the body of POST /api/keyChanges into a KeyChangeRequest (every mistake a 400 that says what to fix).
import type { KeyChangeStrategy } from "../audit/types";
import { DomainError } from "../errors";
import { isSameKey, type VaultAllowList } from "../keys";
import type { KeyChangeRequest } from "./types";

const STRATEGIES: readonly KeyChangeStrategy[] = ["documented", "direct"];
const MAX_TARGETS = 500;

export function parseKeyChangeRequest(
  allowList: VaultAllowList,
  body: Record<string, unknown>,
): KeyChangeRequest {
  const from = allowList.parseKeyId(body.fromKeyId, { versionless: "required" });
  const to = allowList.parseKeyId(body.toKeyId, { versionless: "required" });
  if (isSameKey(from, to))
    throw new DomainError(
      "BadRequest",
      "fromKeyId and toKeyId name the same key: to roll a new version, POST /api/rotations.",
    );
  const reason = body.reason;
  if (typeof reason !== "string" || reason.trim().length === 0)
    throw new DomainError("BadRequest", 'Give a "reason": it is recorded with the change.');
  const strategy = body.strategy ?? "documented";
  if (typeof strategy !== "string" || !STRATEGIES.includes(strategy as KeyChangeStrategy))
    throw new DomainError(
      "BadRequest",
      `"strategy" is "documented" (default: unlink, then link) or "direct" (link only, not in Microsoft's docs).`,
    );
  let targets: string[] | undefined;
  if (body.targets !== undefined) {
    if (
      !Array.isArray(body.targets) ||
      body.targets.length === 0 ||
      body.targets.length > MAX_TARGETS ||
      !body.targets.every(
        (item): item is string => typeof item === "string" && item.startsWith("/subscriptions/"),
      )
    )
      throw new DomainError(
        "BadRequest",
        `"targets" is a list of 1 to ${MAX_TARGETS} ARM resource ids (/subscriptions/...).`,
      );
    targets = body.targets;
  }
  return {
    from: { vaultName: from.vaultName, keyName: from.keyName },
    to: { vaultName: to.vaultName, keyName: to.keyName },
    reason: reason.trim().slice(0, 500),
    strategy: strategy as KeyChangeStrategy,
    ...(targets ? { targets } : {}),
  };
}
