// A small authenticated JSON client for the Power Platform admin API, built on the SDK pipeline.
import type { TokenCredential } from "@azure/core-auth";
import {
  RestError,
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
} from "@azure/core-rest-pipeline";
import type { AzureClientOptions, PowerPlatformAdminClient, PowerPlatformAdminResponse } from "./types";

/**
 * Builds the admin API client: bearer token for `<endpoint>/.default`, the pipeline's default
 * retry policies (which wait for Retry-After on 429/503) and the optional extra CA.
 */
export function createPowerPlatformAdminClient(
  endpoint: string,
  credential: TokenCredential,
  options: AzureClientOptions = {},
): PowerPlatformAdminClient {
  const pipeline = createPipelineFromOptions({
    retryOptions: options.retryOptions,
    tlsOptions: options.caPem ? { ca: options.caPem } : undefined,
    userAgentOptions: { userAgentPrefix: "cmk-rotator" },
  });
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: `${endpoint}/.default` }));
  const httpClient = createDefaultHttpClient();

  return {
    endpoint,
    async request(method, path, requestOptions = {}): Promise<PowerPlatformAdminResponse> {
      const url = new URL(path, endpoint);
      if (requestOptions.apiVersion) url.searchParams.set("api-version", requestOptions.apiVersion);
      const request = createPipelineRequest({
        url: url.toString(),
        method,
        headers: createHttpHeaders({
          accept: "application/json",
          ...(requestOptions.body === undefined ? {} : { "content-type": "application/json" }),
        }),
        body: requestOptions.body === undefined ? undefined : JSON.stringify(requestOptions.body),
        tlsSettings: options.caPem ? { ca: options.caPem } : undefined,
      });
      const response = await pipeline.sendRequest(httpClient, request);
      const text = response.bodyAsText ?? "";
      let body: unknown = undefined;
      if (text) {
        try {
          body = JSON.parse(text) as unknown;
        } catch {
          body = text;
        }
      }
      if (response.status < 200 || response.status >= 300) {
        const serviceCode = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
        throw new RestError(
          `Power Platform admin API answered ${response.status} to ${method} ${url.pathname}`,
          {
            statusCode: response.status,
            code: typeof serviceCode === "string" ? serviceCode : undefined,
            request,
            response,
          },
        );
      }
      return { status: response.status, body, headers: response.headers.toJSON() };
    },
  };
}
