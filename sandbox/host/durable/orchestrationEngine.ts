// The local Durable Task backend: runs orchestration episodes by replaying the registered orchestrator over stored
// history, dispatches activities, durable timers (on the virtual clock) and sub-orchestrations, and delivers their
// completions back as history events, like the Durable extension with its Azure Storage provider.
import { randomUUID } from "node:crypto";
import type { ClockTimer, VirtualClock } from "../../clock";
import { errorMessage, type HostLogger } from "../hostLog";
import type { CatalogEntry } from "../worker/functionCatalog";
import type { FunctionInvoker } from "../worker/invokeFunction";
import { ActivityRunner, type AtLeastOnceMode } from "./activityRunner";
import {
  DurableRequestError,
  isValidInstanceId,
  matchesFilter,
  type InstanceFilter,
} from "./durableRequests";
import {
  HistoryEventType,
  historyEvent,
  type HistoryEvent,
  type HistoryEventTypeValue,
} from "./historyEvents";
import { IdleTracker } from "./idleTracker";
import { InstanceWatchers } from "./instanceWatchers";
import { isTerminal, type DurableStore, type InstanceRecord, type RuntimeStatus } from "./instanceStore";
import {
  canProcess,
  executionStarted,
  finishExecution,
  scheduledEvent,
  startNewExecution,
  subOrchestrationInputJson,
  takeMessages,
} from "./instanceTransitions";
import type { ScheduledWork } from "./orchestratorActions";
import { invokeOrchestrator } from "./orchestratorInvocation";
import { replayOrchestratorActions } from "./replayShim";
import { toStatusPayload, type OrchestrationStatus } from "./statusPayload";

export { DurableRequestError, type InstanceFilter } from "./durableRequests";

export interface EngineOptions {
  store: DurableStore;
  functions: readonly CatalogEntry[];
  invoker: FunctionInvoker;
  clock: VirtualClock;
  log: HostLogger;
  maxConcurrentActivities: number;
  atLeastOnce: () => AtLeastOnceMode;
  /** Longest real time a clock-driven step waits for the work it started to settle. */
  settleTimeoutMs: number;
}

export class OrchestrationEngine {
  private readonly orchestrators = new Map<string, CatalogEntry>();
  private readonly activities = new Map<string, CatalogEntry>();
  private readonly activityRunner: ActivityRunner;
  private readonly runningInstances = new Set<string>();
  private readonly clockTimers = new Map<string, ClockTimer>();
  private readonly watchers: InstanceWatchers;
  private readonly idle = new IdleTracker();
  private isStopped = false;
  /** Set while the task hub's storage is made unavailable: every start is refused with it. */
  private startFault: { status: number; message: string } | undefined;

  constructor(private readonly options: EngineOptions) {
    this.watchers = new InstanceWatchers(options.store);
    for (const entry of options.functions) {
      if (entry.kind === "orchestration") this.orchestrators.set(entry.name.toLowerCase(), entry);
      if (entry.kind === "activity") this.activities.set(entry.name.toLowerCase(), entry);
    }
    this.activityRunner = new ActivityRunner(
      options.invoker,
      options.log,
      options.maxConcurrentActivities,
      options.atLeastOnce,
    );
  }

  /** Resumes whatever the store holds: re-arms timers, re-runs unfinished activities, processes waiting messages. */
  start(): void {
    for (const record of this.options.store.instances.values()) {
      if (isTerminal(record.status)) continue;
      for (const [id, fireAtMs] of record.pendingTimers) this.armTimer(record, id, fireAtMs);
      for (const [id, activity] of record.pendingActivities)
        this.dispatchActivity(record, id, activity.name, activity.input);
      this.kick(record.instanceId);
    }
  }

  /**
   * Stops dispatching and waits (up to `graceMs`) for running episodes and activities to return; their results are
   * not delivered, so unfinished work stays in the store and runs again on the next host, as after a crash.
   */
  async stop(graceMs: number): Promise<void> {
    this.isStopped = true;
    for (const timer of this.clockTimers.values()) timer.cancel();
    this.clockTimers.clear();
    await this.idle.whenIdle(graceMs);
    this.idle.releaseAll();
  }

  // ---- client operations -------------------------------------------------------------------------------------

  /** Makes every start fail as when the task hub's storage is unavailable (`undefined` ends it); nothing is created. */
  setStartFault(fault: { status: number; message: string } | undefined): void {
    this.startFault = fault;
  }

  startNew(name: string, instanceId: string | undefined, inputJson: string | null): InstanceRecord {
    if (this.startFault) {
      throw new DurableRequestError(this.startFault.status, "TaskHubUnavailable", this.startFault.message);
    }
    const entry = this.orchestrators.get(name.toLowerCase());
    if (!entry) {
      throw new DurableRequestError(
        400,
        "OrchestratorNotFound",
        `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`,
      );
    }
    const id = instanceId || randomUUID().replace(/-/g, "");
    if (!isValidInstanceId(id)) {
      throw new DurableRequestError(
        400,
        "InvalidInstanceId",
        `Instance ID '${id}' contains characters ('/', '\\', '#', '?' or control characters) that are not allowed.`,
      );
    }
    const existing = this.options.store.get(id);
    if (existing && !isTerminal(existing.status)) {
      throw new DurableRequestError(
        409,
        "InstanceAlreadyExists",
        `An orchestration with instance ID '${id}' already exists with status ${existing.status}.`,
      );
    }
    if (existing) this.cancelTimersOf(existing);
    const nowMs = this.options.clock.now();
    const executionId = randomUUID();
    const record: InstanceRecord = {
      instanceId: id,
      name: entry.name,
      executionId,
      status: "Pending",
      inputJson,
      outputJson: null,
      customStatusJson: null,
      createdMs: nowMs,
      lastUpdatedMs: nowMs,
      history: [],
      inbox: [executionStarted(entry.name, id, executionId, inputJson, nowMs)],
      pendingActivities: new Map(),
      pendingTimers: new Map(),
    };
    this.options.store.instances.set(id, record);
    this.notifyChanged(record);
    this.kick(id);
    return record;
  }

  raiseEvent(instanceId: string, eventName: string, inputJson: string | null): void {
    this.send(instanceId, HistoryEventType.EventRaised, { Name: eventName, Input: inputJson });
  }

  terminate(instanceId: string, reason: string | undefined): void {
    this.send(instanceId, HistoryEventType.ExecutionTerminated, { Input: JSON.stringify(reason ?? "") });
  }

  suspend(instanceId: string, reason: string | undefined): void {
    this.send(instanceId, HistoryEventType.ExecutionSuspended, { Input: reason ?? null });
  }

  resume(instanceId: string, reason: string | undefined): void {
    this.send(instanceId, HistoryEventType.ExecutionResumed, { Input: reason ?? null });
  }

  /** Deletes a finished instance; 404 when unknown, 412 when it is still running (as the extension answers). */
  purge(instanceId: string): number {
    const record = this.options.store.get(instanceId);
    if (!record)
      throw new DurableRequestError(
        404,
        "InstanceNotFound",
        `No orchestration with instance ID '${instanceId}' found.`,
      );
    if (!isTerminal(record.status)) {
      throw new DurableRequestError(
        412,
        "InstanceNotTerminal",
        `Only orchestrations in a terminal state can be purged, but the orchestration with instance ID ${instanceId} has status ${record.status}`,
      );
    }
    this.options.store.instances.delete(instanceId);
    return 1;
  }

  purgeWhere(filter: InstanceFilter): number {
    const doomed = this.query(filter).filter((record) => isTerminal(record.status));
    for (const record of doomed) this.options.store.instances.delete(record.instanceId);
    return doomed.length;
  }

  getStatus(
    instanceId: string,
    options?: Parameters<typeof toStatusPayload>[1],
  ): OrchestrationStatus | undefined {
    const record = this.options.store.get(instanceId);
    return record ? toStatusPayload(record, options) : undefined;
  }

  onCustomStatus(instanceId: string, listener: (customStatus: unknown) => void): () => void {
    return this.watchers.onCustomStatus(instanceId, listener);
  }

  query(filter: InstanceFilter): InstanceRecord[] {
    return [...this.options.store.instances.values()].filter((record) => matchesFilter(record, filter));
  }

  waitForInstance(instanceId: string, timeoutMs: number): Promise<OrchestrationStatus> {
    return this.watchers.waitForInstance(instanceId, timeoutMs);
  }

  /** Resolves when no episode, activity or message is outstanding, or after `maxWaitMs` of real time. */
  whenIdle(maxWaitMs = this.options.settleTimeoutMs): Promise<void> {
    return this.isStopped ? Promise.resolve() : this.idle.whenIdle(maxWaitMs);
  }

  // ---- episodes -----------------------------------------------------------------------------------------------

  /** Queues a message for a running instance (404 unknown, 410 finished) and runs an episode for it. */
  private send(
    instanceId: string,
    type: HistoryEventTypeValue,
    fields: Parameters<typeof historyEvent>[2],
  ): void {
    this.requireActive(instanceId).inbox.push(historyEvent(type, this.options.clock.now(), fields));
    this.kick(instanceId);
  }

  private requireActive(instanceId: string): InstanceRecord {
    const record = this.options.store.get(instanceId);
    if (!record)
      throw new DurableRequestError(404, "InstanceNotFound", `No instance with ID '${instanceId}' found.`);
    if (isTerminal(record.status)) {
      throw new DurableRequestError(
        410,
        "InstanceCompleted",
        `The instance '${instanceId}' is already ${record.status}.`,
      );
    }
    return record;
  }

  private kick(instanceId: string): void {
    if (this.isStopped || this.runningInstances.has(instanceId)) return;
    const record = this.options.store.get(instanceId);
    if (!record || record.inbox.length === 0) return;
    this.runningInstances.add(instanceId);
    const done = this.idle.begin();
    void this.runEpisodes(record)
      .catch((error: unknown) =>
        this.options.log({
          level: "error",
          category: "system",
          message: `orchestration '${instanceId}' episode failed: ${errorMessage(error)}`,
        }),
      )
      .finally(() => {
        this.runningInstances.delete(instanceId);
        // Messages that arrived after the last episode took its batch start another one.
        const current = this.options.store.get(instanceId);
        if (current && current.inbox.length > 0 && canProcess(current)) this.kick(instanceId);
        done();
      });
  }

  private async runEpisodes(record: InstanceRecord): Promise<void> {
    while (!this.isStopped && record.inbox.length > 0 && canProcess(record)) {
      if (this.options.store.get(record.instanceId) !== record) return; // purged or restarted meanwhile
      await this.runEpisode(record);
    }
  }

  private async runEpisode(record: InstanceRecord): Promise<void> {
    const nowMs = this.options.clock.now();
    if (isTerminal(record.status)) {
      record.inbox.length = 0; // messages for a finished instance are discarded, as DTFx does
      return;
    }
    const messages = takeMessages(record);
    const started = historyEvent(HistoryEventType.OrchestratorStarted, nowMs);
    const terminated = messages.find((e) => e.EventType === HistoryEventType.ExecutionTerminated);
    if (terminated) {
      record.history.push(started, terminated);
      this.finish(record, "Terminated", terminated.Input ?? null, nowMs);
      return;
    }
    for (const message of messages) {
      if (message.EventType === HistoryEventType.ExecutionSuspended) record.status = "Suspended";
      if (message.EventType === HistoryEventType.ExecutionResumed) record.status = "Running";
    }
    if (record.status === "Pending") record.status = "Running";
    const newEvents = [started, ...messages];
    const entry = this.orchestrators.get(record.name.toLowerCase());
    if (!entry) {
      record.history.push(...newEvents);
      this.fail(record, `The orchestrator function '${record.name}' is not registered in this app.`, nowMs);
      return;
    }
    if (
      record.status === "Suspended" &&
      !messages.some((m) => m.EventType !== HistoryEventType.ExecutionSuspended)
    ) {
      record.history.push(...newEvents);
      this.touch(record, nowMs);
      return;
    }
    const history = [...record.history, ...newEvents];
    const state = await invokeOrchestrator(this.options.invoker, entry, record, history);
    if (this.isStopped || this.options.store.get(record.instanceId) !== record) return;
    if (typeof state === "string") {
      record.history.push(...newEvents);
      this.fail(record, state, nowMs);
      return;
    }
    const replay = replayOrchestratorActions({
      orchestratorName: record.name,
      instanceId: record.instanceId,
      history,
      actions: Array.isArray(state.actions) ? state.actions : [],
      schemaVersion: state.schemaVersion ?? 0,
    });
    record.history.push(...newEvents);
    if (replay.failure) {
      this.fail(record, replay.failure, nowMs);
      return;
    }
    // The extension only updates the custom status when the orchestrator set one.
    if (state.customStatus !== undefined && state.customStatus !== null)
      record.customStatusJson = JSON.stringify(state.customStatus);
    if (state.error) {
      this.fail(record, `Orchestrator function '${record.name}' failed: ${state.error}`, nowMs);
      return;
    }
    for (const work of replay.newWork) this.schedule(record, work, nowMs);
    if (state.isDone && replay.continueAsNew) {
      this.continueAsNew(record, replay.continueAsNew.input, nowMs);
      return;
    }
    if (state.isDone) {
      record.history.push(historyEvent(HistoryEventType.OrchestratorCompleted, nowMs));
      this.finish(record, "Completed", JSON.stringify(state.output ?? null), nowMs);
      return;
    }
    record.history.push(historyEvent(HistoryEventType.OrchestratorCompleted, nowMs));
    this.touch(record, nowMs);
  }

  private schedule(record: InstanceRecord, work: ScheduledWork, nowMs: number): void {
    record.history.push(scheduledEvent(work, nowMs));
    if (work.kind === "activity") {
      record.pendingActivities.set(work.id, { name: work.name, input: work.input });
      this.dispatchActivity(record, work.id, work.name, work.input);
    } else if (work.kind === "timer") {
      record.pendingTimers.set(work.id, work.fireAtMs);
      this.armTimer(record, work.id, work.fireAtMs);
    } else {
      this.startSubOrchestration(record, work, nowMs);
    }
  }

  private startSubOrchestration(
    parent: InstanceRecord,
    work: Extract<ScheduledWork, { kind: "subOrchestration" }>,
    nowMs: number,
  ): void {
    const link = { instanceId: parent.instanceId, executionId: parent.executionId, taskScheduledId: work.id };
    try {
      const child = this.startNew(work.name, work.instanceId, subOrchestrationInputJson(work));
      child.parent = link;
    } catch (error) {
      this.deliver(
        link.instanceId,
        link.executionId,
        historyEvent(HistoryEventType.SubOrchestrationInstanceFailed, nowMs, {
          TaskScheduledId: work.id,
          Reason: errorMessage(error),
          Details: "",
        }),
      );
    }
  }

  private dispatchActivity(record: InstanceRecord, id: number, name: string, input: unknown): void {
    const { instanceId, executionId } = record;
    const done = this.idle.begin();
    void this.activityRunner
      .run(this.activities.get(name.toLowerCase()), name, input)
      .then((result) => {
        // A stopped host delivers nothing: the activity stays pending and runs again after a restart.
        if (this.isStopped) return;
        record.pendingActivities.delete(id);
        const atMs = this.options.clock.now();
        const event = result.ok
          ? historyEvent(HistoryEventType.TaskCompleted, atMs, {
              TaskScheduledId: id,
              Result: result.resultJson,
            })
          : historyEvent(HistoryEventType.TaskFailed, atMs, {
              TaskScheduledId: id,
              Reason: result.reason,
              Details: result.details,
            });
        this.deliver(instanceId, executionId, event);
      })
      .catch((error: unknown) =>
        this.options.log({
          level: "error",
          category: "system",
          functionName: name,
          message: `activity dispatch failed: ${errorMessage(error)}`,
        }),
      )
      .finally(done);
  }

  private armTimer(record: InstanceRecord, id: number, fireAtMs: number): void {
    const { instanceId, executionId } = record;
    const key = `${instanceId}\n${executionId}\n${id}`;
    this.clockTimers.get(key)?.cancel();
    this.clockTimers.set(
      key,
      this.options.clock.setTimer(fireAtMs, async () => {
        this.clockTimers.delete(key);
        if (this.isStopped) return;
        record.pendingTimers.delete(id);
        this.deliver(
          instanceId,
          executionId,
          historyEvent(HistoryEventType.TimerFired, this.options.clock.now(), {
            TimerId: id,
            FireAt: new Date(fireAtMs).toISOString(),
          }),
        );
        // Let the episode this timer wakes up (and the activities it schedules) run at this virtual time.
        await this.whenIdle();
      }),
    );
  }

  private cancelTimersOf(record: InstanceRecord): void {
    const prefix = `${record.instanceId}\n${record.executionId}\n`;
    for (const [key, timer] of this.clockTimers) {
      if (key.startsWith(prefix)) {
        timer.cancel();
        this.clockTimers.delete(key);
      }
    }
  }

  private deliver(instanceId: string, executionId: string, event: HistoryEvent): void {
    const record = this.options.store.get(instanceId);
    if (!record || record.executionId !== executionId || isTerminal(record.status)) {
      this.options.log({
        level: "debug",
        category: "system",
        message: `discarding a message for finished or replaced instance '${instanceId}'`,
      });
      return;
    }
    record.inbox.push(event);
    this.kick(instanceId);
  }

  private continueAsNew(record: InstanceRecord, input: unknown, nowMs: number): void {
    record.history.push(historyEvent(HistoryEventType.OrchestratorCompleted, nowMs));
    this.cancelTimersOf(record);
    record.status = "ContinuedAsNew";
    this.notifyChanged(record);
    startNewExecution(record, input, nowMs);
    this.touch(record, nowMs);
  }

  private fail(record: InstanceRecord, message: string, nowMs: number): void {
    this.options.log({
      level: "error",
      category: "system",
      message: `orchestration '${record.instanceId}' failed: ${message}`,
    });
    record.history.push(historyEvent(HistoryEventType.OrchestratorCompleted, nowMs));
    this.finish(record, "Failed", JSON.stringify(message), nowMs);
  }

  private finish(
    record: InstanceRecord,
    status: RuntimeStatus,
    outputJson: string | null,
    nowMs: number,
  ): void {
    const toParent = finishExecution(record, status, outputJson, nowMs);
    this.cancelTimersOf(record);
    this.touch(record, nowMs);
    if (toParent && record.parent)
      this.deliver(record.parent.instanceId, record.parent.executionId, toParent);
  }

  private touch(record: InstanceRecord, nowMs: number): void {
    record.lastUpdatedMs = nowMs;
    this.notifyChanged(record);
  }

  private notifyChanged(record: InstanceRecord): void {
    this.watchers.notifyChanged(record);
  }
}
