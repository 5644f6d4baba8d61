// What a chaos run says to the app and its host, over their public HTTP surfaces: the app's API with the
// retries an operator makes, the Event Grid webhook as Event Grid delivers, and the Durable HTTP API.
import type { E2eStack } from "../e2eStack";

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An answer, or undefined when the host could not be reached (it is restarting). */
export async function tryCall(
  stack: E2eStack,
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: unknown; text: string } | undefined> {
  try {
    const response = await stack.call(path, init);
    const text = await response.text();
    let body: unknown;
    try {
      body = text === "" ? undefined : (JSON.parse(text) as unknown);
    } catch {
      body = text;
    }
    return { status: response.status, body, text };
  } catch {
    return undefined;
  }
}

/**
 * GET on the app's API, retried while it answers 503 (a dependency is faulted) or cannot be reached; any
 * other status is the answer. Throws after `timeoutMs`.
 */
export async function getWithRetry(
  stack: E2eStack,
  path: string,
  timeoutMs = 30_000,
): Promise<{ status: number; body: unknown }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await tryCall(stack, path);
    if (answer && answer.status !== 503) return answer;
    if (Date.now() > deadline)
      throw new Error(`GET ${path}: ${answer ? `${answer.status} ${answer.text}` : "unreachable"}`);
    await sleep(200);
  }
}

/** What the Durable HTTP API says of an instance (the extension's status payload). */
export interface InstanceStatus {
  runtimeStatus: string;
  input?: { rotationId?: string } | null;
  customStatus?: { step?: string } | null;
  historyEvents?: Array<Record<string, unknown>>;
}

/** GET .../durabletask/instances/{id} with the system key; undefined when there is no such instance. */
export async function instanceStatus(
  stack: E2eStack,
  instanceId: string,
  options: { withHistory?: boolean } = {},
): Promise<InstanceStatus | undefined> {
  const history = options.withHistory ? "&showHistory=true&showHistoryOutput=true" : "";
  const deadline = Date.now() + 30_000;
  for (;;) {
    const url = `${stack.host.baseUrl}/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}?code=${stack.host.systemKey}${history}`;
    try {
      const response = await fetch(url);
      if (response.status === 404) return undefined;
      if (response.status === 200 || response.status === 202)
        return (await response.json()) as InstanceStatus;
      await response.text();
    } catch {
      // The host is restarting.
    }
    if (Date.now() > deadline) throw new Error(`durable status of ${instanceId} unreadable`);
    await sleep(200);
  }
}

/** A Key Vault event in the Event Grid schema, as Key Vault publishes it (PascalCase data). */
export function keyVaultEvent(
  stack: E2eStack,
  eventType: string,
  key: { vaultName: string; keyName: string },
  version: string,
  eventId: string,
) {
  return {
    id: eventId,
    topic: stack.keyVault.vaults[key.vaultName].armId,
    subject: key.keyName,
    eventType: `Microsoft.KeyVault.${eventType}`,
    eventTime: new Date(stack.clock.now()).toISOString(),
    data: {
      Id: `${stack.vaultUrl(key.vaultName)}/keys/${key.keyName}/${version}`,
      VaultName: key.vaultName,
      ObjectType: "Key",
      ObjectName: key.keyName,
      Version: version,
      NBF: null,
      EXP: null,
    },
    dataVersion: "1",
    metadataVersion: "1",
  };
}

/**
 * Delivers one event to the app's Event Grid trigger as Event Grid does: again after a non-2xx answer or a
 * connection failure, up to `maxAttempts`. Returns how many redeliveries it took, or undefined if it never landed.
 */
export async function deliverEvent(
  stack: E2eStack,
  event: unknown,
  maxAttempts = 30,
): Promise<number | undefined> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    try {
      const response = await fetch(stack.host.eventGridWebhookUrl("keyVaultEvents"), {
        method: "POST",
        headers: { "content-type": "application/json", "aeg-event-type": "Notification" },
        body: JSON.stringify([event]),
      });
      await response.text();
      if (response.status >= 200 && response.status < 300) return attempt;
    } catch {
      // The host is restarting: Event Grid retries.
    }
    await sleep(200 * Math.min(attempt + 1, 5));
  }
  return undefined;
}
