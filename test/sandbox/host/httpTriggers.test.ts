import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startExampleHost, type ExampleHost } from "./exampleHost";

describe("local host: HTTP triggers", () => {
  let example: ExampleHost;
  beforeAll(async () => {
    example = await startExampleHost({ maxRequestBodyBytes: 1024 });
  });
  afterAll(async () => {
    await example.host.stop();
  });

  it("lists what the app registered, with trigger metadata", () => {
    const byName = Object.fromEntries(example.host.functions.map((f) => [f.name, f]));
    expect(byName.Hello).toMatchObject({
      kind: "http",
      route: "hello/{name:alpha}",
      methods: ["GET"],
      authLevel: "anonymous",
    });
    expect(byName.AdminOnly).toMatchObject({ kind: "http", authLevel: "admin" });
    expect(byName.StartOrchestration.durableClientInputs).toHaveLength(1);
    expect(byName.OnKeyEvent.kind).toBe("eventGrid");
    expect(byName.Tick).toMatchObject({ kind: "timer", schedule: "%TICK_SCHEDULE%" });
    expect(byName.ExampleOrchestration.kind).toBe("orchestration");
    expect(byName.ProcessItem.kind).toBe("activity");
  });

  it("serves anonymous routes with route values, query and response headers", async () => {
    const res = await example.call("/api/hello/bob?q=42", { key: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-example")).toBe("yes");
    expect(await res.json()).toEqual({ greeting: "hello bob", query: "42" });
  });

  it("prefers a literal route over a parameter and applies route constraints", async () => {
    expect(await (await example.call("/api/hello/world", { key: null })).json()).toEqual({
      greeting: "literal wins",
    });
    expect((await example.call("/api/HELLO/World", { key: null })).status).toBe(200);
    const constrained = await example.call("/api/hello/123", { key: null });
    expect(constrained.status).toBe(404);
  });

  it("requires the function key for authLevel function, by header or ?code=", async () => {
    const noKey = await example.call("/api/echo/a", { method: "POST", body: "x", key: null });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ error: { code: "Unauthorized" } });
    expect((await example.call("/api/echo/a", { method: "POST", body: "x", key: "wrong" })).status).toBe(401);
    const byHeader = await example.call("/api/echo/a/b%2Fc", { method: "PUT", body: "payload" });
    expect(byHeader.status).toBe(201);
    expect(await byHeader.json()).toEqual({ method: "PUT", rest: "a/b/c", body: "payload" });
    const byQuery = await example.call(`/api/echo?code=${example.host.functionKey}`, {
      method: "POST",
      body: "q",
      key: null,
    });
    expect(await byQuery.json()).toEqual({ method: "POST", rest: null, body: "q" });
  });

  it("requires the master key for authLevel admin", async () => {
    expect((await example.call("/api/admin-only")).status).toBe(401);
    const res = await example.call("/api/admin-only", { key: example.host.masterKey });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("admin ok");
  });

  it("answers 404 JSON for unknown routes and for methods a route does not allow", async () => {
    const unknown = await example.call("/api/no/such/route");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "NotFound" } });
    expect((await example.call("/api/hello/bob", { method: "DELETE", key: null })).status).toBe(404);
    expect((await example.call("/elsewhere")).status).toBe(404);
  });

  it("refuses bodies over the limit with 413", async () => {
    const res = await example.call("/api/echo/big", { method: "POST", body: "x".repeat(2048) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "PayloadTooLarge" } });
    expect((await example.call("/api/echo/small", { method: "POST", body: "x".repeat(1024) })).status).toBe(
      201,
    );
  });

  it("turns a failing function into a bare 500 without the exception text", async () => {
    const res = await example.call("/api/crash", { key: null });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("");
    const logged = example.logs.find((entry) => entry.functionName === "Crash" && entry.level === "error");
    expect(logged?.message).toContain("secret-internal-detail");
  });

  it("answers 204 when a function returns no response", async () => {
    expect((await example.call("/api/nothing", { key: null })).status).toBe(204);
  });
});
