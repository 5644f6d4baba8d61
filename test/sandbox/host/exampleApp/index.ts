// Example function app for the local host's tests: registers HTTP, Event Grid and timer triggers, orchestrations and
// activities with app.* / df.app.*, exactly like src/index.ts does for the product (compiled and loaded by the host).
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import {
  EXAMPLE_ORCHESTRATION,
  exampleOrchestration,
  FLAKY_STEP,
  flakyStep,
  PREPARE_BATCH,
  prepareBatch,
  PROCESS_ITEM,
  processItem,
  sideEffects,
} from "./exampleOrchestration";
import {
  CHILD_ORCHESTRATION,
  childOrchestration,
  COUNTDOWN_ORCHESTRATION,
  countdownOrchestration,
  GREET,
  greet,
  LONG_WAIT_ORCHESTRATION,
  longWaitOrchestration,
  NON_DETERMINISTIC_ORCHESTRATION,
  nonDeterministicOrchestration,
  PARENT_ORCHESTRATION,
  parentOrchestration,
} from "./moreOrchestrations";

df.app.orchestration(EXAMPLE_ORCHESTRATION, exampleOrchestration);
df.app.orchestration(COUNTDOWN_ORCHESTRATION, countdownOrchestration);
df.app.orchestration(PARENT_ORCHESTRATION, parentOrchestration);
df.app.orchestration(CHILD_ORCHESTRATION, childOrchestration);
df.app.orchestration(NON_DETERMINISTIC_ORCHESTRATION, nonDeterministicOrchestration);
df.app.orchestration(LONG_WAIT_ORCHESTRATION, longWaitOrchestration);
df.app.activity(PREPARE_BATCH, { handler: prepareBatch });
df.app.activity(FLAKY_STEP, { handler: flakyStep });
df.app.activity(PROCESS_ITEM, { handler: processItem });
df.app.activity(GREET, { handler: greet });

/** Starts any orchestration: POST /api/orchestrators/{name}?instanceId=..., body = input. */
df.app.client.http("StartOrchestration", {
  route: "orchestrators/{name}",
  methods: ["POST"],
  authLevel: "function",
  handler: async (request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> => {
    const text = await request.text();
    const instanceId = await client.startNew(request.params.name, {
      input: text ? (JSON.parse(text) as unknown) : undefined,
      instanceId: request.query.get("instanceId") ?? undefined,
    });
    return client.createCheckStatusResponse(request, instanceId);
  },
});

/** Drives the client API from inside a function: GET status, POST raise/terminate, DELETE purge. */
df.app.client.http("ManageInstance", {
  route: "manage/{id}/{operation?}",
  methods: ["GET", "POST", "DELETE"],
  authLevel: "function",
  handler: async (request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> => {
    const id = request.params.id;
    switch (request.params.operation) {
      case "raise":
        await client.raiseEvent(id, request.query.get("event") ?? "Approval", await request.json());
        return { status: 202 };
      case "terminate":
        await client.terminate(id, "stopped by test");
        return { status: 202 };
      case "purge":
        return { jsonBody: await client.purgeInstanceHistory(id) };
      case "payload":
        return { jsonBody: client.createHttpManagementPayload(id) };
      default:
        try {
          return { jsonBody: await client.getStatus(id) };
        } catch (error) {
          return {
            status: 404,
            jsonBody: { error: { code: "NotFound", message: (error as Error).message } },
          };
        }
    }
  },
});

app.http("Hello", {
  route: "hello/{name:alpha}",
  methods: ["GET"],
  authLevel: "anonymous",
  handler: (request: HttpRequest): HttpResponseInit => ({
    jsonBody: { greeting: `hello ${request.params.name}`, query: request.query.get("q") },
    headers: { "x-example": "yes" },
  }),
});

app.http("HelloLiteral", {
  route: "hello/world",
  methods: ["GET"],
  authLevel: "anonymous",
  handler: (): HttpResponseInit => ({ jsonBody: { greeting: "literal wins" } }),
});

app.http("Echo", {
  route: "echo/{*rest}",
  methods: ["POST", "PUT"],
  authLevel: "function",
  handler: async (request: HttpRequest): Promise<HttpResponseInit> => ({
    status: 201,
    jsonBody: { method: request.method, rest: request.params.rest ?? null, body: await request.text() },
  }),
});

app.http("AdminOnly", {
  route: "admin-only",
  methods: ["GET"],
  authLevel: "admin",
  handler: (): HttpResponseInit => ({ body: "admin ok" }),
});

app.http("Crash", {
  route: "crash",
  methods: ["GET"],
  authLevel: "anonymous",
  handler: (): HttpResponseInit => {
    throw new Error("secret-internal-detail");
  },
});

app.http("NoContent", {
  route: "nothing",
  methods: ["GET"],
  authLevel: "anonymous",
  // Returning nothing from an HTTP handler: the host answers 204 No Content.
  handler: async (): Promise<HttpResponseInit> =>
    (await Promise.resolve(undefined)) as unknown as HttpResponseInit,
});

/** Everything the event and timer triggers received, and the activities' side effects. */
const received = { events: [] as unknown[], ticks: [] as Array<{ isPastDue: boolean; at: string }> };

app.http("Observations", {
  route: "observations",
  methods: ["GET"],
  authLevel: "anonymous",
  handler: (): HttpResponseInit => ({ jsonBody: { ...received, sideEffects } }),
});

app.eventGrid("OnKeyEvent", {
  handler: (event: unknown, context: InvocationContext): void => {
    const subject = (event as { subject?: string }).subject;
    if (subject === "fail") throw new Error("the handler refused this event");
    context.log(`received event ${(event as { id?: string }).id}`);
    received.events.push(event);
  },
});

/** Event Grid trigger with a durable client: each event starts a countdown orchestration named after the event id. */
df.app.client.eventGrid("StartFromEvent", {
  handler: async (event: { id: string }, client: df.DurableClient): Promise<void> => {
    await client.startNew(COUNTDOWN_ORCHESTRATION, { input: 1, instanceId: `from-event-${event.id}` });
  },
});

app.timer("Tick", {
  schedule: "%TICK_SCHEDULE%",
  handler: (timer: { isPastDue: boolean }, context: InvocationContext): void => {
    context.log("tick");
    received.ticks.push({ isPastDue: timer.isPastDue, at: new Date().toISOString() });
  },
});
