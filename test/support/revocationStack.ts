// End-to-end wiring for revocation tests on top of e2eStack: signed webhook calls, a host restart on the same Azurite, and the invariants.
import { randomUUID } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { expect } from "vitest";
import { startLocalHost, type LocalHost } from "../../sandbox/host";
import type { RevocationRecord } from "../../src/lib/audit";
import { signBody } from "../../src/lib/signing";
import {
  APP_ENTRY,
  callHost,
  E2E_REVOCATION_SECRET,
  startE2eStack,
  type HostCallInit,
  type E2eStack,
  type E2eStackOptions,
} from "./e2eStack";

export interface SignOptions {
  /** Unix seconds the request claims it was signed at (default: the wall clock now). */
  timestampSeconds?: number;
  secret?: string;
  /** Send this body instead of the one that was signed. */
  sentBody?: string;
  /** Leave the signature (or the timestamp) header out. */
  omit?: Array<"signature" | "timestamp">;
}

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/** The `{error:{code,message}}` body every refusal answers with. */
export interface ErrorBody {
  error: { code: string; message: string };
}

export interface RevocationStack {
  base: E2eStack;
  /** The host now serving (changes on restartHost). */
  host(): LocalHost;
  /** fetch against the current host; `key: null` sends no function key. */
  call(path: string, init?: HostCallInit): Promise<Response>;
  sign(body: unknown, options?: SignOptions): SignedRequest;
  post(path: string, signed: SignedRequest): Promise<Response>;
  revoke(keyId: string, reason?: string): Promise<{ response: Response; id?: string; signed: SignedRequest }>;
  restore(id: string, extra?: Record<string, unknown>): Promise<{ response: Response; requestId: string }>;
  waitForRevocation(
    id: string,
    done: (record: RevocationRecord) => boolean,
    timeoutMs?: number,
  ): Promise<RevocationRecord>;
  /** Waits until the restore sent with `requestId` has finished (no longer Restoring). */
  waitForRestore(id: string, requestId: string): Promise<RevocationRecord>;
  /** Stops the host and starts a new one on the same Azurite and emulators: everything in memory is gone. */
  restartHost(): Promise<void>;
  auditTable(): TableClient;
  stop(): Promise<void>;
}

export async function startRevocationStack(options: E2eStackOptions = {}): Promise<RevocationStack> {
  const base = await startE2eStack({ eventSchema: "none", ...options });
  let current: LocalHost = base.host;
  let restarted: LocalHost | undefined;

  const call: RevocationStack["call"] = (path, init) => callHost(current, path, init);

  const sign: RevocationStack["sign"] = (body, signOptions = {}) => {
    const raw = typeof body === "string" ? body : JSON.stringify(body);
    const timestamp = signOptions.timestampSeconds ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-cmk-timestamp": String(timestamp),
      "x-cmk-signature": signBody(signOptions.secret ?? E2E_REVOCATION_SECRET, timestamp, raw),
    };
    if (signOptions.omit?.includes("signature")) delete headers["x-cmk-signature"];
    if (signOptions.omit?.includes("timestamp")) delete headers["x-cmk-timestamp"];
    return { body: signOptions.sentBody ?? raw, headers };
  };

  const post: RevocationStack["post"] = (path, signed) =>
    call(path, { method: "POST", body: signed.body, headers: signed.headers, key: null });

  const stack: RevocationStack = {
    base,
    host: () => current,
    call,
    sign,
    post,
    async revoke(keyId, reason = "suspected breach") {
      const signed = sign({ keyId, reason, requestId: randomUUID() });
      const response = await post("/api/revocations", signed);
      const body = response.status === 202 ? ((await response.clone().json()) as { id: string }) : undefined;
      return { response, id: body?.id, signed };
    },
    async restore(id, extra = {}) {
      const requestId = randomUUID();
      const response = await post(
        `/api/revocations/${id}/restore`,
        sign({ reason: "all clear", requestId, ...extra }),
      );
      return { response, requestId };
    },
    async waitForRevocation(id, done, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: RevocationRecord | undefined;
      while (Date.now() < deadline) {
        const response = await call(`/api/revocations/${encodeURIComponent(id)}`);
        if (response.status === 200) {
          last = (await response.json()) as RevocationRecord;
          if (done(last)) return last;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`revocation ${id} not done after ${timeoutMs} ms: ${JSON.stringify(last)}`);
    },
    waitForRestore(id, requestId) {
      return stack.waitForRevocation(
        id,
        (record) => record.restore?.requestId === requestId && record.restore.status !== "Restoring",
      );
    },
    async restartHost() {
      await current.stop();
      restarted = await startLocalHost({
        appEntry: APP_ENTRY,
        clock: base.clock,
        atLeastOnce: options.atLeastOnce ?? "off",
        log: (entry) => base.logs.push(entry),
        settings: { ...base.hostSettings },
      });
      current = restarted;
    },
    auditTable: () =>
      TableClient.fromConnectionString(base.azurite.connectionString, "cmkaudit", {
        allowInsecureConnection: true,
      }),
    async stop() {
      if (restarted) await restarted.stop().catch(() => undefined);
      await base.stop();
    },
  };
  return stack;
}

/** Every audit row as text. */
export async function auditRows(stack: RevocationStack): Promise<Array<Record<string, unknown>>> {
  const rows: Array<Record<string, unknown>> = [];
  try {
    for await (const row of stack.auditTable().listEntities<Record<string, unknown>>()) rows.push(row);
  } catch (error) {
    // Before the app wrote its first audit row the table does not exist: no rows.
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  return rows;
}

/** Invariant: no audit row holds the revocation secret, a function/system key, a bearer token or a request signature. */
export async function expectNoSecretInAudit(stack: RevocationStack): Promise<void> {
  const host = stack.host();
  const text = JSON.stringify(await auditRows(stack));
  for (const secret of [E2E_REVOCATION_SECRET, host.functionKey, host.systemKey, host.masterKey]) {
    expect(text.includes(secret), "an audit row holds a secret").toBe(false);
  }
  expect(text).not.toMatch(/eyJ[\w-]{5,}\.[\w-]{5,}/);
  expect(text).not.toMatch(/Bearer\s+\S/i);
  expect(text).not.toMatch(/sha256=[0-9a-f]{64}/i);
}

/** Rejection rows (the d:- partition holds refusals of requests naming no known key). */
export async function rejectionCount(stack: RevocationStack): Promise<number> {
  return (await auditRows(stack)).filter(
    (row) => String(row.partitionKey).startsWith("d:") && String(row.json).includes('"rejection"'),
  ).length;
}
