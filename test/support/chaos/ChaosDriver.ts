// Drives a chaos run's rotations as operators and Key Vault would: round by round, one rotation per key,
// over HTTP (retrying what the API says is worth retrying) or as duplicated Event Grid events, restarting
// the host mid-round when asked, and moving the virtual clock until every rotation has settled.
import { randomUUID } from "node:crypto";
import type { AtLeastOnceMode } from "../../../sandbox/host";
import type { TargetAttempt } from "../../../src/lib/audit";
import { rotationInstanceId } from "../../../src/lib/keys";
import { deterministicRotationId } from "../../../src/starters/rotations/startRotation";
import type { E2eStack } from "../e2eStack";
import { attemptsTakenIn } from "./attemptsTakenIn";
import { deliverEvent, instanceStatus, keyVaultEvent, sleep, tryCall } from "./chaosCalls";
import { SHORT_RETIRE_AFTER_MS, type ChaosKey } from "./chaosEstate";
import { mapWithConcurrency } from "../../../src/lib/revocations";

export interface ChaosOperation {
  id: string;
  key: ChaosKey;
  round: number;
  trigger: "Http" | "KeyNearExpiry";
}

export interface DriverOptions {
  /** Every n-th start (round-robin over keys and rounds) is a Key Vault near-expiry event instead of a POST. */
  eventEvery: number;
  /** Rounds in which the host is stopped and restarted (store handed over) while rotations are in flight. */
  restartRounds: readonly number[];
  /** Move on to the short retirements after each round (else they run once, at the end). */
  retireEachRound: boolean;
  /** Real time a round may take before what has not settled is given up on (the checks then count it). */
  roundTimeoutMs: number;
  log: (line: string) => void;
}

const START_CONCURRENCY = 16;
const RETRY_WAIT_MS = 250;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Clock steps while waiting: small while retries come due, growing to an hour while only slow things wait. */
const FIRST_STEP_MS = 30_000;
const MAX_STEP_MS = HOUR_MS;
const TERMINAL_RUNTIME = new Set(["Completed", "Failed", "Terminated"]);

/** What "settled" means: an instance waiting to retire counts (mid-run), or only a finished one (at the end). */
type Settled = "waitingToRetireIsSettled" | "finishedOnly";

export class ChaosDriver {
  readonly operations: ChaosOperation[] = [];
  /** The attempt rows each rotation took in, by rotation id (from its durable history, snapshot while it was there). */
  readonly attemptsTaken = new Map<string, TargetAttempt[]>();
  readonly counts = {
    rotationsAsked: 0,
    startsAccepted: 0,
    conflictsRetried: 0,
    unavailableRetried: 0,
    unreachableRetried: 0,
    adoptedAfterLostAnswer: 0,
    eventsDelivered: 0,
    eventRedeliveries: 0,
    eventsResent: 0,
    lateDuplicatesDelivered: 0,
    restarts: 0,
    clockAdvances: 0,
  };
  readonly problems = {
    /** Answers outside the API contract (a 5xx other than 503, a 4xx other than 409 to a valid start). */
    unexpectedAnswers: [] as string[],
    /** Rotations an operator asked for that the app never started. */
    startsNeverAccepted: [] as string[],
    /** Rotation instances seen Failed (a later start of the key replaces them, so they are noted when seen). */
    failedOrchestrations: new Set<string>(),
  };
  private readonly knownIds = new Set<string>();
  /** Events that started a rotation: Event Grid delivers each once more, late, during the next round. */
  private deliveredEvents: unknown[] = [];

  constructor(
    private readonly stack: E2eStack,
    private readonly keys: readonly ChaosKey[],
    private readonly options: DriverOptions,
  ) {}

  /** One rotation per key, a restart in the middle when this round has one, then waits until all have settled. */
  async runRound(round: number, mode: AtLeastOnceMode): Promise<void> {
    this.stack.host.setAtLeastOnce(mode);
    const roundStartMs = Date.now();
    const deadline = roundStartMs + this.options.roundTimeoutMs;
    const restartHere = this.options.restartRounds.includes(round);
    let restart: Promise<void> | undefined;
    let accepted = 0;
    // Duplicates arrive even after success: last round's events again, now about a version that is no longer the newest.
    const lateDuplicates = this.deliveredEvents.splice(0).map(async (event) => {
      if ((await deliverEvent(this.stack, event)) !== undefined) this.counts.lateDuplicatesDelivered += 1;
    });
    const started = await mapWithConcurrency(this.keys, START_CONCURRENCY, async (key, index) => {
      const operation = await this.startOne(key, round, index, deadline);
      accepted += 1;
      // Half the keys have rotations in flight, the other half are still being asked for.
      if (restartHere && !restart && accepted >= Math.ceil(this.keys.length / 2))
        restart = this.restart(round, mode);
      return operation;
    });
    await Promise.all([restart, ...lateDuplicates]);
    const startedMs = Date.now();
    const operations = started.filter((operation) => operation !== undefined);
    this.operations.push(...operations);
    for (const operation of operations) this.knownIds.add(operation.id);
    await this.settle(operations, "waitingToRetireIsSettled", deadline);
    const settledMs = Date.now();
    if (this.options.retireEachRound) {
      // The short retirements (two days after each rotation) come due now; wait for them too.
      await this.advance(SHORT_RETIRE_AFTER_MS + HOUR_MS);
      await this.settle(operations, "waitingToRetireIsSettled", deadline);
    }
    const seconds = (fromMs: number, toMs: number) => `${((toMs - fromMs) / 1000).toFixed(1)} s`;
    this.options.log(
      `round ${round}: starts ${seconds(roundStartMs, startedMs)}, rotations ${seconds(startedMs, settledMs)}, retirements ${seconds(settledMs, Date.now())}`,
    );
  }

  /** After the last round: moves 30 days on so every retirement (28 days with Power Platform) runs, and waits for all. */
  async finish(timeoutMs: number): Promise<void> {
    for (let day = 0; day < 30; day++) await this.advance(DAY_MS);
    await this.settle(this.operations, "finishedOnly", Date.now() + timeoutMs);
  }

  /** Records the attempts each key's current rotation took in, and whether it failed, while its instance is still there. */
  async snapshotHistories(): Promise<void> {
    await mapWithConcurrency(this.keys, START_CONCURRENCY, async (key) => {
      const status = await instanceStatus(this.stack, rotationInstanceId(key), { withHistory: true });
      const rotationId = status?.input?.rotationId;
      if (!status || !rotationId) return;
      this.attemptsTaken.set(rotationId, attemptsTakenIn(status));
      if (status.runtimeStatus === "Failed") this.problems.failedOrchestrations.add(rotationId);
    });
  }

  private startOne(key: ChaosKey, round: number, index: number, deadline: number) {
    this.counts.rotationsAsked += 1;
    const isEvent = (index + round) % this.options.eventEvery === 0;
    return isEvent ? this.startByEvent(key, round, deadline) : this.startByHttp(key, round, deadline);
  }

  /** POST /api/rotations until it is accepted, retrying 409 (a rotation still finishing) and 503 as the CLI's user would. */
  private async startByHttp(
    key: ChaosKey,
    round: number,
    deadline: number,
  ): Promise<ChaosOperation | undefined> {
    const request = {
      method: "POST",
      body: JSON.stringify({ keyId: key.keyId, reason: `chaos round ${round}` }),
    };
    while (Date.now() < deadline) {
      const answer = await tryCall(this.stack, "/api/rotations", request);
      if (!answer) {
        this.counts.unreachableRetried += 1;
      } else if (answer.status === 202) {
        this.counts.startsAccepted += 1;
        return { id: (answer.body as { id: string }).id, key, round, trigger: "Http" };
      } else if (answer.status === 409) {
        const body = answer.body as { error?: { code?: string }; id?: string };
        // Our own earlier POST started it but its answer was lost (the host restarted): that is this round's rotation.
        if (body.error?.code === "RotationInProgress" && body.id && !this.knownIds.has(body.id)) {
          this.counts.adoptedAfterLostAnswer += 1;
          this.counts.startsAccepted += 1;
          return { id: body.id, key, round, trigger: "Http" };
        }
        this.counts.conflictsRetried += 1;
      } else if (answer.status === 503) {
        this.counts.unavailableRetried += 1;
      } else {
        this.problems.unexpectedAnswers.push(
          `POST /api/rotations (${key.keyName}): ${answer.status} ${answer.text}`,
        );
      }
      await sleep(RETRY_WAIT_MS);
    }
    this.problems.startsNeverAccepted.push(`${key.keyName} round ${round} (HTTP)`);
    return undefined;
  }

  /**
   * A near-expiry event for the key's current version, delivered twice at once (Event Grid is at least
   * once), each redelivered until accepted. If it started nothing (the key's last rotation was still
   * finishing), it is sent again, as Key Vault's next reminder would be.
   */
  private async startByEvent(
    key: ChaosKey,
    round: number,
    deadline: number,
  ): Promise<ChaosOperation | undefined> {
    while (Date.now() < deadline) {
      const version = await this.currentVersion(key);
      const event = keyVaultEvent(this.stack, "KeyNearExpiry", key, version, randomUUID());
      const deliveries = await Promise.all([
        deliverEvent(this.stack, event),
        deliverEvent(this.stack, event),
      ]);
      for (const redeliveries of deliveries) {
        if (redeliveries === undefined) {
          this.problems.unexpectedAnswers.push(`event for ${key.keyName} never accepted by the webhook`);
          continue;
        }
        this.counts.eventsDelivered += 1;
        this.counts.eventRedeliveries += redeliveries;
      }
      const id = deterministicRotationId("KeyNearExpiry", key.vaultName, key.keyName, version);
      const instance = await instanceStatus(this.stack, rotationInstanceId(key));
      if (instance?.input?.rotationId === id) {
        this.counts.startsAccepted += 1;
        this.deliveredEvents.push(event);
        return { id, key, round, trigger: "KeyNearExpiry" };
      }
      this.counts.eventsResent += 1;
      await sleep(RETRY_WAIT_MS);
    }
    this.problems.startsNeverAccepted.push(`${key.keyName} round ${round} (event)`);
    return undefined;
  }

  /** The key's current version as an operator reads it (through the faults: the SDK retries, then so do we). */
  private async currentVersion(key: ChaosKey): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.stack.operatorKeys(key.vaultName).getKey(key.keyName)).properties.version!;
      } catch (error) {
        if (attempt >= 10) throw error;
        await sleep(RETRY_WAIT_MS);
      }
    }
  }

  private async restart(round: number, mode: AtLeastOnceMode): Promise<void> {
    this.counts.restarts += 1;
    this.options.log(`round ${round}: stopping the host and starting a new one on its durable store`);
    await this.stack.restartHost({ atLeastOnce: mode });
  }

  private async advance(ms: number): Promise<void> {
    this.counts.clockAdvances += 1;
    await this.stack.advance(ms);
  }

  /** Moves the clock until every operation's record is terminal and its instance settled, or the deadline passes. */
  private async settle(
    operations: readonly ChaosOperation[],
    settled: Settled,
    deadline: number,
  ): Promise<void> {
    let stepMs = FIRST_STEP_MS;
    let pendingBefore = Number.POSITIVE_INFINITY;
    for (;;) {
      const pending = (
        await mapWithConcurrency(operations, START_CONCURRENCY, async (operation) =>
          (await this.isPending(operation, settled)) ? operation : undefined,
        )
      ).filter((operation) => operation !== undefined);
      if (pending.length === 0) return;
      if (Date.now() > deadline) {
        this.options.log(
          `gave up waiting for ${pending.length} rotation(s): ${pending.map((op) => op.id).join(", ")}`,
        );
        return;
      }
      stepMs = pending.length < pendingBefore ? FIRST_STEP_MS : Math.min(stepMs * 2, MAX_STEP_MS);
      pendingBefore = pending.length;
      await sleep(50);
      await this.advance(stepMs);
    }
  }

  /**
   * Read from the Durable HTTP API alone (the task hub is not faulted): the record is written before the
   * instance waits to retire or ends, and whether it really is terminal is for the checks to say.
   */
  private async isPending(operation: ChaosOperation, settled: Settled): Promise<boolean> {
    const instance = await instanceStatus(this.stack, rotationInstanceId(operation.key));
    if (!instance || instance.input?.rotationId !== operation.id) return false;
    if (TERMINAL_RUNTIME.has(instance.runtimeStatus)) return false;
    return !(settled === "waitingToRetireIsSettled" && instance.customStatus?.step === "WaitingToRetire");
  }
}
