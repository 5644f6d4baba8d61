// Replays the host tests' example orchestration from hand-built wire histories through the real durable-functions
// wrapper (captured from df.app.orchestration), and checks the host's replay shim against the same histories.
import * as df from "durable-functions";
import { beforeAll, describe, expect, it } from "vitest";
import { captureApp, historyEvent, HistoryEventType, type HistoryEvent } from "../../sandbox/host";
import type { OrchestratorState } from "../../sandbox/host/durable/orchestratorActions";
import { replayOrchestratorActions } from "../../sandbox/host/durable/replayShim";
import { EXAMPLE_ORCHESTRATION } from "../sandbox/host/exampleApp/exampleOrchestration";

type OrchestratorCallback = (trigger: unknown, context: unknown) => Promise<OrchestratorState>;

const t0 = Date.parse("2026-01-01T00:00:00Z");
const minutes = (n: number) => t0 + n * 60_000;
const input = { items: ["a", "b"] };

let orchestrator: OrchestratorCallback;

beforeAll(async () => {
  const registrations = await captureApp(() => import("../sandbox/host/exampleApp/index.js"));
  const registered = registrations.functions.find((f) => f.metadata.name === EXAMPLE_ORCHESTRATION);
  expect(registered?.metadata.bindings).toMatchObject({
    [Object.keys(registered?.metadata.bindings ?? {})[0]]: { type: "orchestrationTrigger" },
  });
  orchestrator = registered?.callback as OrchestratorCallback;
});

/** One episode: history with past events marked played, fed to the wrapper as the extension's trigger payload. */
async function replay(history: HistoryEvent[], playedCount: number): Promise<OrchestratorState> {
  // The host receives the state as JSON (through the worker's RPC encoding), so compare it in that form.
  const state = await orchestrator(
    {
      history: history.map((event, i) => ({ ...event, IsPlayed: i < playedCount })),
      input,
      instanceId: "replay-1",
      isReplaying: playedCount > 0,
      parentInstanceId: "",
      upperSchemaVersion: 2,
      longRunningTimerIntervalDuration: "3.00:00:00",
      maximumShortTimerDuration: "6.00:00:00",
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    },
    new df.DummyOrchestrationContext(EXAMPLE_ORCHESTRATION, "inv", () => undefined),
  );
  return JSON.parse(JSON.stringify(state)) as OrchestratorState;
}

const started = (at: number) => historyEvent(HistoryEventType.OrchestratorStarted, at);
const completed = (at: number) => historyEvent(HistoryEventType.OrchestratorCompleted, at);
const scheduled = (id: number, name: string, at: number) =>
  historyEvent(HistoryEventType.TaskScheduled, at, { EventId: id, Name: name });
const taskCompleted = (id: number, result: unknown, at: number) =>
  historyEvent(HistoryEventType.TaskCompleted, at, { TaskScheduledId: id, Result: JSON.stringify(result) });
const timerCreated = (id: number, fireAt: number, at: number) =>
  historyEvent(HistoryEventType.TimerCreated, at, { EventId: id, FireAt: new Date(fireAt).toISOString() });
const timerFired = (id: number, fireAt: number) =>
  historyEvent(HistoryEventType.TimerFired, fireAt, { TimerId: id, FireAt: new Date(fireAt).toISOString() });

/** Every episode of a successful run, each as [events added, expected last action type or "done"]. */
function successfulRun(): Array<{ events: HistoryEvent[]; check: (state: OrchestratorState) => void }> {
  const coolDownEnd = minutes(3) + 5 * 60_000;
  return [
    {
      events: [
        started(t0),
        historyEvent(HistoryEventType.ExecutionStarted, t0, {
          Name: EXAMPLE_ORCHESTRATION,
          Input: JSON.stringify(input),
        }),
      ],
      check: (s) => {
        expect(s.actions[0]).toEqual([{ functionName: "PrepareBatch", actionType: 0, input }]);
        expect(s.customStatus).toEqual({ step: "prepare" });
      },
    },
    {
      events: [
        scheduled(0, "PrepareBatch", t0),
        completed(t0),
        started(minutes(1)),
        taskCompleted(0, { batchSize: 2 }, minutes(1)),
      ],
      check: (s) =>
        expect(s.actions[0][1]).toEqual({
          functionName: "FlakyStep",
          actionType: 1,
          input: { key: "replay-1" },
          retryOptions: { firstRetryIntervalInMilliseconds: 60_000, maxNumberOfAttempts: 3 },
        }),
    },
    {
      // The first attempt fails; the extension creates the retry timer (sequence 2) itself.
      events: [
        scheduled(1, "FlakyStep", minutes(1)),
        completed(minutes(1)),
        started(minutes(1) + 10),
        historyEvent(HistoryEventType.TaskFailed, minutes(1) + 10, {
          TaskScheduledId: 1,
          Reason: "transient",
          Details: "",
        }),
        timerCreated(2, minutes(2) + 10, minutes(1) + 10),
        completed(minutes(1) + 10),
        started(minutes(2) + 10),
        timerFired(2, minutes(2) + 10),
        scheduled(3, "FlakyStep", minutes(2) + 10),
        completed(minutes(2) + 10),
        started(minutes(3)),
        taskCompleted(3, "ok after 2 attempts", minutes(3)),
      ],
      check: (s) => {
        const fanOut = s.actions[0][2] as { actionType: number; compoundActions: unknown[] };
        expect(fanOut.actionType).toBe(12);
        expect(fanOut.compoundActions).toEqual([
          { functionName: "ProcessItem", actionType: 0, input: JSON.stringify("a") },
          { functionName: "ProcessItem", actionType: 0, input: JSON.stringify("b") },
        ]);
      },
    },
    {
      // Fan-in completes out of order; the results keep the call order.
      events: [
        scheduled(4, "ProcessItem", minutes(3)),
        scheduled(5, "ProcessItem", minutes(3)),
        completed(minutes(3)),
        started(minutes(3)),
        taskCompleted(5, "B", minutes(3)),
        taskCompleted(4, "A", minutes(3)),
      ],
      check: (s) =>
        expect(s.actions[0][3]).toEqual({
          fireAt: new Date(coolDownEnd).toISOString(),
          isCanceled: false,
          actionType: 5,
        }),
    },
    {
      events: [
        timerCreated(6, coolDownEnd, minutes(3)),
        completed(minutes(3)),
        started(coolDownEnd),
        timerFired(6, coolDownEnd),
      ],
      check: (s) => {
        const race = s.actions[0][4] as {
          actionType: number;
          compoundActions: Array<{ actionType: number }>;
        };
        expect(race.actionType).toBe(11);
        expect(race.compoundActions.map((a) => a.actionType)).toEqual([6, 5]);
      },
    },
    {
      events: [
        timerCreated(7, coolDownEnd + 60 * 60_000, coolDownEnd),
        completed(coolDownEnd),
        started(coolDownEnd + 60_000),
        historyEvent(HistoryEventType.EventRaised, coolDownEnd + 60_000, { Name: "Approval", Input: "true" }),
      ],
      check: (s) => {
        expect(s.isDone).toBe(true);
        expect(s.output).toEqual({
          batchSize: 2,
          flaky: "ok after 2 attempts",
          processed: ["A", "B"],
          approved: true,
          finishedAt: new Date(coolDownEnd + 60_000).toISOString(),
        });
      },
    },
  ];
}

describe("example orchestration replayed through the durable-functions wrapper", () => {
  it("produces the expected actions episode by episode: activity, retry, fan-out, timer, external event", async () => {
    const history: HistoryEvent[] = [];
    for (const episode of successfulRun()) {
      const played = history.length;
      history.push(...episode.events);
      episode.check(await replay(history, played));
    }
  });

  it("fails the orchestration when an activity fails without retry", async () => {
    const history = [
      ...successfulRun()[0].events,
      scheduled(0, "PrepareBatch", t0),
      completed(t0),
      started(minutes(1)),
      historyEvent(HistoryEventType.TaskFailed, minutes(1), {
        TaskScheduledId: 0,
        Reason: "Activity function 'PrepareBatch' failed: boom",
        Details: "stack",
      }),
    ];
    const failure = await replay(history, 4).then(
      () => undefined,
      (error: Error) => error,
    );
    const state = JSON.parse(failure?.message.split("$OutOfProcData$:")[1] ?? "{}") as OrchestratorState;
    expect(state.isDone).toBe(false);
    expect(state.error).toContain("Activity function 'PrepareBatch' failed: boom");
  });
});

describe("the host's replay shim on the same histories", () => {
  it("finds exactly the work each episode adds, then nothing once the history has it", async () => {
    const history: HistoryEvent[] = [];
    const newWorkPerEpisode: string[][] = [];
    for (const episode of successfulRun()) {
      history.push(...episode.events);
      const state = await replay(history, 0);
      const outcome = replayOrchestratorActions({
        orchestratorName: EXAMPLE_ORCHESTRATION,
        instanceId: "replay-1",
        history,
        actions: state.actions,
        schemaVersion: state.schemaVersion ?? 0,
      });
      expect(outcome.failure).toBeUndefined();
      newWorkPerEpisode.push(
        outcome.newWork.map((w) => `${w.id}:${w.kind}${w.kind === "activity" ? `:${w.name}` : ""}`),
      );
    }
    expect(newWorkPerEpisode).toEqual([
      ["0:activity:PrepareBatch"],
      ["1:activity:FlakyStep"],
      ["4:activity:ProcessItem", "5:activity:ProcessItem"],
      ["6:timer"],
      ["7:timer"],
      [],
    ]);
  });

  it("reports a non-deterministic replay when history and actions disagree", async () => {
    const history = [...successfulRun()[0].events, ...successfulRun()[1].events];
    const state = await replay(history, 0);
    const tampered = history.map((e) =>
      e.EventType === HistoryEventType.TaskScheduled ? { ...e, Name: "SomethingElse" } : e,
    );
    const outcome = replayOrchestratorActions({
      orchestratorName: EXAMPLE_ORCHESTRATION,
      instanceId: "replay-1",
      history: tampered,
      actions: state.actions,
      schemaVersion: state.schemaVersion ?? 0,
    });
    expect(outcome.failure).toMatch(/^Non-deterministic orchestrator 'ExampleOrchestration'/);
    expect(outcome.failure).toContain("TaskScheduled 'SomethingElse' at sequence 0");
  });

  it("splits timers longer than six days into three-day intervals, as the extension does", () => {
    const fireAt = t0 + 10 * 24 * 3600_000;
    const outcome = replayOrchestratorActions({
      orchestratorName: "Long",
      instanceId: "long-1",
      history: [started(t0), historyEvent(HistoryEventType.ExecutionStarted, t0, { Name: "Long" })],
      actions: [[{ actionType: 5, fireAt: new Date(fireAt).toISOString(), isCanceled: false }]],
      schemaVersion: 2,
    });
    expect(outcome.newWork).toEqual([{ kind: "timer", id: 0, fireAtMs: t0 + 3 * 24 * 3600_000 }]);
  });
});
