// Starts a key's rotateKey instance unless one is already busy: the per-key singleton every door and the sweep go through.
import { randomUUID } from "node:crypto";
import type { DurableClient } from "durable-functions";
import type { RotationRecord } from "../../lib/audit";
import { revocationInstanceId, rotationInstanceId, type KeyIdentity } from "../../lib/keys";
import type { Services } from "../../lib/services";
import { activeInstanceStatus } from "../activeInstanceStatus";
import { runningKeyChangeOf } from "../keyChanges/runningKeyChange";
import { startInstance } from "../startInstance";
import { rotationIdOfInstance } from "./rotationIdOfInstance";
import { revocationIdOfInstance } from "../revocations/instanceState";
import { ROTATE_KEY_ORCHESTRATION } from "../../orchestrations/rotateKey/activityNames";
import type {
  RotateKeyInput,
  RotationCustomStatus,
  RotationMode,
  RotationPlan,
  RotationTrigger,
  TargetRef,
} from "../../orchestrations/rotateKey/types";

export interface RotationRequest {
  key: KeyIdentity;
  trigger: RotationTrigger;
  reason: string;
  mode: RotationMode;
  /** propagate mode: the version to roll out. */
  version?: string;
  /**
   * A deterministic id for triggers that may be delivered twice (events, sweep); the version is
   * tagged with it, so even two racing starts make one version. Default: a fresh UUID.
   */
  rotationId?: string;
  /** The plan the caller already made (the orchestration then skips its load step). */
  plan?: RotationPlan;
  /** A sweep's turn for this rotation: it waits until then (RotateKeyInput.notBeforeMs). */
  notBeforeMs?: number;
  /** What a sweep's Resource Graph snapshot found using the key (RotateKeyInput.discovered). */
  discovered?: TargetRef[];
}

export type StartOutcome =
  | { started: true; rotationId: string; instanceId: string; supersededRotationId?: string }
  | {
      started: false;
      reason: "RotationInProgress" | "RevocationInProgress" | "KeyChangeInProgress";
      runningId: string;
      instanceId: string;
    };

/** The record a door writes before the instance exists (so its status URL answers at once), and how to take it back. */
export interface FirstRecord {
  write(input: RotateKeyInput): Promise<void>;
  /** Nothing was started (task hub unavailable, or another start won): the record must not keep saying Running. */
  withdraw(input: RotateKeyInput, why: { reason: string; anotherStartWon: boolean }): Promise<void>;
}

/**
 * The FirstRecord of a starter that knows what the rotation's record looks like before it starts:
 * written as given, and withdrawn as Skipped (another start won: it does the work) or Failed. Needs
 * Storage Table Data Contributor.
 */
export function auditedFirstRecord(
  audit: Pick<Services["audit"], "putRotation">,
  key: KeyIdentity,
  recordOf: (input: RotateKeyInput) => RotationRecord,
): FirstRecord {
  return {
    write: (input) => audit.putRotation(key, recordOf(input)),
    withdraw: (input, { reason, anotherStartWon }) =>
      audit.putRotation(key, {
        ...recordOf(input),
        status: anotherStartWon ? "Skipped" : "Failed",
        finishedAt: new Date().toISOString(),
        detail: reason,
      }),
  };
}

/** Within one worker, check-then-start for a key runs one at a time, so concurrent requests see each other. */
const startsInFlight = new Map<string, Promise<unknown>>();

async function oneAtATime<T>(instanceId: string, work: () => Promise<T>): Promise<T> {
  const previous = startsInFlight.get(instanceId) ?? Promise.resolve();
  const current = previous.catch(() => undefined).then(work);
  startsInFlight.set(instanceId, current);
  try {
    return await current;
  } finally {
    if (startsInFlight.get(instanceId) === current) startsInFlight.delete(instanceId);
  }
}

/**
 * Starts a rotation of `request.key` under the key's one instance id. A rotation still working
 * (or a revocation of the key) wins: nothing starts and the running id comes back. An instance
 * that only waits to retire an old version is superseded: the new rotation's own retirement
 * covers every older version, and the 28-day floor only grows.
 */
export async function startRotation(
  client: DurableClient,
  request: RotationRequest,
  firstRecord?: FirstRecord,
  keyChanges?: Pick<Services, "keyChangeMarks">,
): Promise<StartOutcome> {
  const instanceId = rotationInstanceId(request.key);
  return oneAtATime(instanceId, async () => {
    // A change to (or from) another key holds rotations off: a new version would race its moves.
    const change = keyChanges ? await runningKeyChangeOf(client, keyChanges, request.key) : undefined;
    if (change)
      return { started: false, reason: "KeyChangeInProgress", runningId: change.changeId, instanceId };
    const revocation = await activeInstanceStatus(client, revocationInstanceId(request.key));
    if (revocation) {
      return {
        started: false,
        reason: "RevocationInProgress",
        runningId: revocationIdOfInstance(revocation),
        instanceId,
      };
    }
    const existing = await activeInstanceStatus(client, instanceId);
    let supersededRotationId: string | undefined;
    if (existing) {
      const custom = existing.customStatus as Partial<RotationCustomStatus> | undefined;
      if (custom?.step !== "WaitingToRetire") {
        return {
          started: false,
          reason: "RotationInProgress",
          runningId: rotationIdOfInstance(existing),
          instanceId,
        };
      }
      supersededRotationId = rotationIdOfInstance(existing);
      await client.terminate(
        instanceId,
        `Superseded by a new ${request.trigger} rotation; it retires older versions itself.`,
      );
    }
    const rotationId = request.rotationId ?? randomUUID();
    const input: RotateKeyInput = {
      rotationId,
      vaultName: request.key.vaultName,
      keyName: request.key.keyName,
      trigger: request.trigger,
      reason: request.reason,
      mode: request.mode,
      ...(request.version === undefined ? {} : { version: request.version }),
      ...(request.plan === undefined ? {} : { plan: request.plan }),
      ...(request.notBeforeMs === undefined ? {} : { notBeforeMs: request.notBeforeMs }),
      ...(request.discovered === undefined ? {} : { discovered: request.discovered }),
    };
    await firstRecord?.write(input);
    const start = await startInstance(client, {
      name: ROTATE_KEY_ORCHESTRATION,
      instanceId,
      input,
      ...(firstRecord ? { withdraw: (why) => firstRecord.withdraw(input, why) } : {}),
      nextStep: "Try again once the Functions app's storage is reachable.",
    });
    if (!start.started) {
      // Another worker started this key's rotation at the same moment: it is the one running.
      return {
        started: false,
        reason: "RotationInProgress",
        runningId: rotationIdOfInstance(start.running),
        instanceId,
      };
    }
    return {
      started: true,
      rotationId,
      instanceId,
      ...(supersededRotationId ? { supersededRotationId } : {}),
    };
  });
}

/** A rotation id that is the same for every delivery of the same cause (event or sweep decision). */
export function deterministicRotationId(...parts: string[]): string {
  // Readable and table-safe: parts are vault/key/version names and kinds (letters, digits, hyphens).
  return parts.map((part) => part.toLowerCase().replace(/[^0-9a-z-]/g, "-")).join(".");
}
