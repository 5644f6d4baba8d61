// Power Platform environments in a key change: read the linkage, start link/unlink, poll the operation.
import type { PowerPlatformAdminClient } from "../azure";
import { DomainError, fromAzureError, statusOf } from "../errors";

/** api-version of link/unlink (Microsoft's scripts); reads use the admin environment endpoint. */
export const LINK_API_VERSION = "2019-10-01";
const READ_API_VERSION = "2021-04-01";
const ENVIRONMENTS = "/providers/Microsoft.BusinessAppPlatform/environments";
const ADMIN_ENVIRONMENTS = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments";

export type EnvironmentOperation = "link" | "unlink";

export interface EnvironmentLinkage {
  id: string;
  displayName?: string;
  /** properties.states.runtime.id: Enabled when its data is available. */
  state: string;
  /** The encryption policy it is linked to (ARM id and systemId), when linked. */
  policyId?: string;
  systemId?: string;
}

/** Running: poll again after retryAfterMs; Succeeded or Failed (with the service's message). */
export type OperationState =
  { state: "Running"; retryAfterMs: number } | { state: "Succeeded" } | { state: "Failed"; message: string };

interface WireEnvironment {
  name?: string;
  properties?: {
    displayName?: string;
    states?: { runtime?: { id?: string } };
    enterprisePolicies?: Record<
      string,
      { id?: string; policyId?: string; systemId?: string; linkStatus?: string } | undefined
    >;
  };
}

function retryAfterMsOf(headers: Readonly<Record<string, string>>): number {
  const seconds = Number(headers["retry-after"]);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 300) * 1000 : 5_000;
}

function isSamePolicy(
  linkage: EnvironmentLinkage,
  policy: { resourceId: string; systemId?: string },
): boolean {
  const ids = [linkage.policyId, linkage.systemId]
    .filter((id): id is string => !!id)
    .map((id) => id.toLowerCase());
  return (
    ids.includes(policy.resourceId.toLowerCase()) ||
    (!!policy.systemId && ids.includes(policy.systemId.toLowerCase()))
  );
}

/** Needs Power Platform administrator (or Dynamics 365 administrator) on the tenant, as the link cmdlets do. */
export function createEnvironmentMoves(admin: () => PowerPlatformAdminClient) {
  const fail = (subject: string, error: unknown) =>
    fromAzureError(error, {
      dependency: "Power Platform admin API",
      subject,
      notFoundCode: "ResourceNotFound",
    });

  const read = async (environmentId: string): Promise<EnvironmentLinkage> => {
    let body: WireEnvironment;
    try {
      body = (
        await admin().request("GET", `${ADMIN_ENVIRONMENTS}/${encodeURIComponent(environmentId)}`, {
          apiVersion: READ_API_VERSION,
        })
      ).body as WireEnvironment;
    } catch (error) {
      throw fail(`environment ${environmentId}`, error);
    }
    const link = Object.values(body.properties?.enterprisePolicies ?? {}).find(
      (entry) => typeof entry === "object" && entry !== null && (entry.linkStatus ?? "Linked") === "Linked",
    );
    const policyId = link?.id ?? link?.policyId;
    return {
      id: body.name ?? environmentId,
      ...(body.properties?.displayName ? { displayName: body.properties.displayName } : {}),
      state: body.properties?.states?.runtime?.id ?? "Unknown",
      ...(policyId ? { policyId } : {}),
      ...(link?.systemId ? { systemId: link.systemId } : {}),
    };
  };

  return {
    read,
    isSamePolicy,

    /**
     * Starts link or unlink unless the environment is already where the operation would take it
     * (a re-run after a crash): then undefined. A 409 means an operation is running already: the
     * caller polls the environment again later.
     */
    async start(
      environmentId: string,
      operation: EnvironmentOperation,
      policy: { resourceId: string; systemId: string },
    ): Promise<
      { operationUrl: string; retryAfterMs: number } | { busy: true; retryAfterMs: number } | undefined
    > {
      const linkage = await read(environmentId);
      const isLinkedToPolicy = isSamePolicy(linkage, policy);
      if (operation === "link" ? isLinkedToPolicy : !isLinkedToPolicy) return undefined;
      try {
        const response = await admin().request(
          "POST",
          `${ENVIRONMENTS}/${encodeURIComponent(environmentId)}/enterprisePolicies/Encryption/${operation}`,
          { apiVersion: LINK_API_VERSION, body: { SystemId: policy.systemId } },
        );
        const operationUrl = response.headers["operation-location"] ?? response.headers.location;
        if (!operationUrl)
          throw new DomainError(
            "DependencyFailed",
            `The ${operation} of ${environmentId} answered without operation-location.`,
          );
        return { operationUrl, retryAfterMs: retryAfterMsOf(response.headers) };
      } catch (error) {
        if (statusOf(error) === 409) return { busy: true, retryAfterMs: 5_000 };
        throw fail(`${operation} of environment ${environmentId}`, error);
      }
    },

    /** Polls an operation; only the admin API's own origin is polled (the bearer token goes there). 409: still running. */
    async poll(operationUrl: string): Promise<OperationState> {
      const client = admin();
      if (new URL(operationUrl).origin !== new URL(client.endpoint).origin) {
        throw new DomainError(
          "DependencyFailed",
          `operation-location ${operationUrl} is not on ${client.endpoint}; not polled.`,
        );
      }
      try {
        const response = await client.request("GET", operationUrl);
        const body = response.body as { state?: { id?: string }; error?: { message?: string } } | undefined;
        const state = body?.state?.id ?? "Running";
        if (state === "Succeeded") return { state: "Succeeded" };
        if (state === "Failed")
          return { state: "Failed", message: body?.error?.message ?? "The operation failed." };
        return { state: "Running", retryAfterMs: retryAfterMsOf(response.headers) };
      } catch (error) {
        // Microsoft's Terraform provider keeps polling on 409.
        if (statusOf(error) === 409) return { state: "Running", retryAfterMs: 5_000 };
        throw fail(`operation ${new URL(operationUrl).pathname}`, error);
      }
    },
  };
}

export type EnvironmentMoves = ReturnType<typeof createEnvironmentMoves>;
