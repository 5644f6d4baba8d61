// Validation of PUT rotationpolicy bodies and the instants a policy's triggers stand for.
import { badParameter } from "./errors";
import {
  addIsoDuration,
  subtractIsoDuration,
  tryParseIsoDuration as parseIsoDuration,
  type IsoDuration,
} from "../../src/lib/durations";
import type { KeyVersionRecord, LifetimeAction, RotationPolicyRecord } from "./KeyStore";

const DAY_MS = 86_400_000;
const MIN_EXPIRY_DAYS = 28;
const MIN_TRIGGER_DAYS = 7;
/** Key Vault's default near-expiry notice when no Notify action is set. */
export const DEFAULT_NOTIFY_BEFORE_EXPIRY = "P30D";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function durationOrThrow(value: unknown, field: string): IsoDuration {
  const parsed = typeof value === "string" ? parseIsoDuration(value) : undefined;
  if (!parsed) {
    throw badParameter(
      `Invalid ${field}: '${String(value)}' is not an ISO-8601 duration (for example P90D, P3M for three months, PT48H).`,
    );
  }
  return parsed;
}

/** Length of a duration counted from `fromMs` (months and years are calendar lengths). */
function lengthMs(duration: IsoDuration, fromMs: number): number {
  return addIsoDuration(fromMs, duration) - fromMs;
}

/** Checks a rotation policy body like Key Vault does and returns it normalised; 400 BadParameter otherwise. */
export function parseRotationPolicy(
  body: unknown,
  nowMs: number,
): Pick<RotationPolicyRecord, "lifetimeActions" | "expiryTime"> {
  if (!isRecord(body)) throw badParameter("The rotation policy must be a JSON object.");
  const attributes = body.attributes === undefined || body.attributes === null ? {} : body.attributes;
  if (!isRecord(attributes)) throw badParameter("attributes must be an object.");
  let expiryMs: number | undefined;
  let expiryTime: string | undefined;
  if (attributes.expiryTime !== undefined && attributes.expiryTime !== null) {
    expiryMs = lengthMs(durationOrThrow(attributes.expiryTime, "expiryTime"), nowMs);
    expiryTime = attributes.expiryTime as string;
    if (expiryMs < MIN_EXPIRY_DAYS * DAY_MS) {
      throw badParameter(
        `expiryTime '${expiryTime}' is too short: the minimum is ${MIN_EXPIRY_DAYS} days (P28D).`,
      );
    }
  }
  const rawActions = body.lifetimeActions ?? [];
  if (!Array.isArray(rawActions)) throw badParameter("lifetimeActions must be an array.");
  const seenTypes = new Set<string>();
  const lifetimeActions = rawActions.map((raw): LifetimeAction => {
    if (!isRecord(raw) || !isRecord(raw.trigger) || !isRecord(raw.action)) {
      throw badParameter("Each lifetime action needs a trigger object and an action object.");
    }
    const typeText = typeof raw.action.type === "string" ? raw.action.type.toLowerCase() : "";
    if (typeText !== "rotate" && typeText !== "notify") {
      throw badParameter(
        `Invalid action type ${JSON.stringify(raw.action.type) ?? "(missing)"}: use Rotate or Notify.`,
      );
    }
    const type = typeText === "rotate" ? "Rotate" : "Notify";
    if (seenTypes.has(type)) throw badParameter(`Only one ${type} lifetime action is allowed.`);
    seenTypes.add(type);
    const { timeAfterCreate, timeBeforeExpiry } = raw.trigger;
    const hasAfter = timeAfterCreate !== undefined && timeAfterCreate !== null;
    const hasBefore = timeBeforeExpiry !== undefined && timeBeforeExpiry !== null;
    if (hasAfter === hasBefore) {
      throw badParameter("A trigger needs exactly one of timeAfterCreate or timeBeforeExpiry.");
    }
    if (type === "Notify" && hasAfter) throw badParameter("A Notify action can only use timeBeforeExpiry.");
    const field = hasAfter ? "timeAfterCreate" : "timeBeforeExpiry";
    const text = (hasAfter ? timeAfterCreate : timeBeforeExpiry) as string;
    const triggerMs = lengthMs(durationOrThrow(text, field), nowMs);
    if (triggerMs < MIN_TRIGGER_DAYS * DAY_MS) {
      throw badParameter(`${field} '${text}' is too short: the minimum is ${MIN_TRIGGER_DAYS} days.`);
    }
    if (expiryMs !== undefined && triggerMs > expiryMs - MIN_TRIGGER_DAYS * DAY_MS) {
      throw badParameter(
        `${field} '${text}' must leave at least ${MIN_TRIGGER_DAYS} days before expiryTime '${expiryTime}'.`,
      );
    }
    return { trigger: hasAfter ? { timeAfterCreate: text } : { timeBeforeExpiry: text }, action: { type } };
  });
  return { lifetimeActions, ...(expiryTime ? { expiryTime } : {}) };
}

/** exp (Unix seconds) of a version the policy creates at `createdMs`, or undefined when it sets none. */
export function policyExpiry(
  policy: RotationPolicyRecord | undefined,
  createdMs: number,
): number | undefined {
  if (!policy?.expiryTime) return undefined;
  const duration = parseIsoDuration(policy.expiryTime);
  return duration ? Math.floor(addIsoDuration(createdMs, duration) / 1000) : undefined;
}

/** When the policy's Rotate action falls due for this (current) version, in epoch ms. */
export function rotateDueMs(
  policy: RotationPolicyRecord | undefined,
  version: KeyVersionRecord,
): number | undefined {
  const rotate = policy?.lifetimeActions.find((action) => action.action.type === "Rotate");
  if (!rotate) return undefined;
  if (rotate.trigger.timeAfterCreate) {
    const duration = parseIsoDuration(rotate.trigger.timeAfterCreate);
    return duration ? addIsoDuration(version.created * 1000, duration) : undefined;
  }
  const duration = rotate.trigger.timeBeforeExpiry
    ? parseIsoDuration(rotate.trigger.timeBeforeExpiry)
    : undefined;
  return duration && version.exp !== undefined
    ? subtractIsoDuration(version.exp * 1000, duration)
    : undefined;
}

/** When KeyNearExpiry falls due for this version: the Notify action, or 30 days before exp by default. */
export function nearExpiryDueMs(
  policy: RotationPolicyRecord | undefined,
  version: KeyVersionRecord,
): number | undefined {
  if (version.exp === undefined) return undefined;
  const notify = policy?.lifetimeActions.find((action) => action.action.type === "Notify");
  const duration = parseIsoDuration(notify?.trigger.timeBeforeExpiry ?? DEFAULT_NOTIFY_BEFORE_EXPIRY);
  return duration ? subtractIsoDuration(version.exp * 1000, duration) : undefined;
}
