// How an instance record changes as messages arrive, without a host: message batches around a suspension, and
// the message a finished sub-orchestration sends its parent.
import { describe, expect, it } from "vitest";
import { HistoryEventType, historyEvent } from "../../../../sandbox/host/durable/historyEvents";
import type { InstanceRecord } from "../../../../sandbox/host/durable/instanceStore";
import {
  canProcess,
  finishExecution,
  startNewExecution,
  takeMessages,
} from "../../../../sandbox/host/durable/instanceTransitions";

function record(overrides: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    instanceId: "i1",
    name: "job",
    executionId: "e1",
    status: "Running",
    inputJson: null,
    outputJson: null,
    customStatusJson: null,
    createdMs: 0,
    lastUpdatedMs: 0,
    history: [],
    inbox: [],
    pendingActivities: new Map(),
    pendingTimers: new Map(),
    ...overrides,
  };
}

const raised = (name: string) => historyEvent(HistoryEventType.EventRaised, 0, { Name: name });

describe("instance transitions", () => {
  it("takes messages up to a suspension; a suspended instance takes only its resume", () => {
    const running = record({
      inbox: [raised("a"), historyEvent(HistoryEventType.ExecutionSuspended, 0), raised("b")],
    });
    expect(takeMessages(running).map((e) => e.Name ?? e.EventType)).toEqual([
      "a",
      HistoryEventType.ExecutionSuspended,
    ]);
    expect(running.inbox.map((e) => e.Name)).toEqual(["b"]);

    const suspended = record({ status: "Suspended", inbox: running.inbox });
    expect(canProcess(suspended)).toBe(false);
    suspended.inbox.push(historyEvent(HistoryEventType.ExecutionResumed, 0));
    expect(canProcess(suspended)).toBe(true);
    expect(takeMessages(suspended).map((e) => e.EventType)).toEqual([HistoryEventType.ExecutionResumed]);
    expect(suspended.inbox.map((e) => e.Name)).toEqual(["b"]);
  });

  it("ends an execution, drops pending work and tells a parent how its child ended", () => {
    const parent = { instanceId: "p", executionId: "pe", taskScheduledId: 3 };
    const child = record({ parent, pendingTimers: new Map([[1, 5]]), inbox: [raised("late")] });
    const message = finishExecution(child, "Failed", JSON.stringify("boom"), 10);
    expect(child.status).toBe("Failed");
    expect(child.inbox).toEqual([]);
    expect(child.pendingTimers.size).toBe(0);
    expect(child.history.at(-1)).toMatchObject({ EventType: HistoryEventType.ExecutionCompleted });
    expect(message).toMatchObject({
      EventType: HistoryEventType.SubOrchestrationInstanceFailed,
      TaskScheduledId: 3,
      Reason: "Sub-orchestration 'job' (i1) failed: boom",
    });
    expect(finishExecution(record(), "Completed", "1", 10)).toBeUndefined();
  });

  it("continues as new with a fresh execution id, history and input", () => {
    const old = record({ history: [raised("x")], outputJson: "1" });
    startNewExecution(old, { n: 2 }, 20);
    expect(old.executionId).not.toBe("e1");
    expect(old.history).toEqual([]);
    expect(old.inputJson).toBe('{"n":2}');
    expect(old.inbox[0]).toMatchObject({ EventType: HistoryEventType.ExecutionStarted, Input: '{"n":2}' });
    expect(old.status).toBe("Running");
  });
});
