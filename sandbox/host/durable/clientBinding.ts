// The durable client input binding the extension gives functions (OrchestrationClientInputData), so that
// df.getClient(context) works unmodified: management URLs on the public webhook, operations on the local RPC endpoint.

export const DURABLE_WEBHOOK_PATH = "/runtime/webhooks/durabletask";
export const DURABLE_RPC_PATH = "/durabletask/";
/** The placeholder the extension puts where an instance id goes in management URLs. */
export const INSTANCE_ID_PLACEHOLDER = "INSTANCEID";

export interface DurableEndpoints {
  /** Public origin of the host, e.g. http://127.0.0.1:7071. */
  baseUrl: string;
  /** Local RPC endpoint the durable-functions client calls, ending with /durabletask/. */
  rpcBaseUrl: string;
  taskHubName: string;
  systemKey: string;
}

/** Status, event, terminate, ... URLs for one instance, exactly as createHttpManagementPayload returns them. */
export function managementUrls(
  endpoints: DurableEndpoints,
  instanceId: string,
  origin = endpoints.baseUrl,
): Record<string, string> {
  const webhook = `${origin}${DURABLE_WEBHOOK_PATH}`;
  const instance = `${webhook}/instances/${encodeURIComponent(instanceId)}`;
  const query = `taskHub=${encodeURIComponent(endpoints.taskHubName)}&connection=Storage&code=${endpoints.systemKey}`;
  return {
    id: instanceId,
    statusQueryGetUri: `${instance}?${query}`,
    sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
    terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
    rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
    purgeHistoryDeleteUri: `${instance}?${query}`,
    restartPostUri: `${instance}/restart?${query}`,
    suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
    resumePostUri: `${instance}/resume?reason={text}&${query}`,
  };
}

export function durableClientInputData(endpoints: DurableEndpoints): Record<string, unknown> {
  const webhook = `${endpoints.baseUrl}${DURABLE_WEBHOOK_PATH}`;
  const urls = managementUrls(endpoints, INSTANCE_ID_PLACEHOLDER);
  urls.id = INSTANCE_ID_PLACEHOLDER;
  // encodeURIComponent left the placeholder intact, so the client's string replace finds it.
  return {
    taskHubName: endpoints.taskHubName,
    creationUrls: {
      createNewInstancePostUri: `${webhook}/orchestrators/{functionName}[/{instanceId}]?code=${endpoints.systemKey}`,
      createAndWaitOnNewInstancePostUri: `${webhook}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${endpoints.systemKey}`,
    },
    managementUrls: urls,
    baseUrl: webhook,
    requiredQueryStringParameters: `code=${endpoints.systemKey}`,
    rpcBaseUrl: endpoints.rpcBaseUrl,
    httpBaseUrl: webhook,
    maxGrpcMessageSizeInBytes: 0,
    grpcHttpClientTimeout: "00:01:40",
  };
}
