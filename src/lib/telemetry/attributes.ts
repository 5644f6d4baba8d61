// The attribute names every telemetry item of cmk-rotator carries, and the guard each value passes before it leaves the app.
import type { Attributes, AttributeValue } from "@opentelemetry/api";
import { stripSecrets } from "../audit/secretGuard";

/** Attribute names, one meaning each; Log Analytics shows them under Properties / customDimensions. */
export const ATTR = {
  /** The rotation, revocation or restore id (a restore carries the revocation's id). */
  operationId: "cmk.operation.id",
  operationKind: "cmk.operation.kind",
  outcome: "cmk.outcome",
  trigger: "cmk.trigger",
  /** The versionless key id `<vaultUrl>/keys/<name>`. */
  keyId: "cmk.key.id",
  /** A consumer's ARM resource id. */
  target: "cmk.target.resource_id",
  consumerKind: "cmk.consumer.kind",
  /** The step of a target attempt: apply, verify, checkAccess, enableEnvironment. */
  step: "cmk.target.step",
  result: "cmk.result",
  driftChange: "cmk.drift.change",
  /** The dependency that throttled: "Key Vault", "Azure Resource Manager", ... */
  service: "cmk.service",
  statusCode: "http.response.status_code",
} as const;

export type TelemetryAttributeValue = string | number | boolean | undefined;
export type TelemetryAttributes = Readonly<Record<string, TelemetryAttributeValue>>;

/**
 * The attributes without secret-named fields, credential-shaped strings masked and unset ones left out:
 * nothing reaches an exporter without passing here.
 */
export function guardAttributes(attributes: TelemetryAttributes): Attributes {
  const guarded: Attributes = {};
  for (const [name, value] of Object.entries(stripSecrets(attributes))) {
    if (value !== undefined) guarded[name] = value;
  }
  return guarded;
}

/** One attribute value or log body through the same guard (strings masked, arrays and objects deep-copied). */
export function guardValue<T>(value: T): T {
  return stripSecrets(value);
}

/** The attributes of `source` a secret guard lets through, for records the app did not write itself. */
export function redactedCopy(
  source: Readonly<Record<string, AttributeValue | undefined>>,
): Record<string, AttributeValue | undefined> {
  return stripSecrets({ ...source });
}
