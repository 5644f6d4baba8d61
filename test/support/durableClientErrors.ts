// The errors durable-functions 3.x's DurableClient throws, word for word, for unit tests of code that reads them.

/** What `getStatus` throws when the task hub has no such instance (HTTP 404 from the extension). */
export function instanceNotFound(instanceId: string): Error {
  return new Error(
    `DurableClient error: Durable Functions extension replied with HTTP 404 response. This usually means we could not find any data associated with the instanceId provided: ${instanceId}.`,
  );
}

/** What `getStatus` rejects with when the task hub answers 503 (its storage unreachable). */
export function taskHubUnavailable(): Error {
  return new Error("DurableClient error: Durable Functions extension replied with HTTP 503 response.");
}
