// Starts the ARM emulator: one https server for ARM, the Power Platform admin API, /msi/token and /_emulator.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { sharedClock } from "../clock";
import { MsiTokenHandler } from "../identity";
import { testTls } from "../tls";
import { ArmResources } from "./ArmResources";
import { roleAssignmentRoutes } from "./authorization/roleAssignmentRoutes";
import { vaultRoutes } from "./keyVaults/vaultRoutes";
import { emulatorRoutes } from "./emulatorRoutes";
import { VaultResources } from "./keyVaults/VaultResources";
import { ArmError, parseTarget, readJsonBody, sendArmError, sendJson } from "./http/armHttp";
import { authenticate } from "./http/authenticate";
import { type Route, RouteContext } from "./http/RouteContext";
import { environmentRoutes } from "./powerPlatform/environmentRoutes";
import { policyRoutes } from "./powerPlatform/policyRoutes";
import { resourceGraphRoutes } from "./resourceGraph/resourceGraphRoutes";
import { genericResourceRoutes } from "./resources/genericResourceRoutes";
import { storageRoutes } from "./storage/storageRoutes";
import { subscriptionRoutes } from "./subscriptions/subscriptionRoutes";
import type { ArmEmulator, ArmEmulatorOptions } from "./types";

const DEFAULT_SUBSCRIPTION_ID = "00000000-0000-4000-8000-00000000c0de";
const DEFAULT_TENANT_ID = "72f988bf-0000-4000-8000-00000000c0de";
/** The estate's second subscription (discovery across subscriptions is tested against it). */
export const SECOND_SUBSCRIPTION_ID = "00000000-0000-4000-8000-0000000c0de2";

/**
 * Starts the emulator on 127.0.0.1 with the sandbox test certificate. The official ARM clients work against
 * `url` unmodified (see README.md); consumers reach their keys through the Key Vault emulator URLs in `keyVaults`.
 */
export async function startArmEmulator(options: ArmEmulatorOptions): Promise<ArmEmulator> {
  const clock = options.clock ?? sharedClock;
  const tls = testTls();
  const subscriptionId = options.subscriptionId ?? DEFAULT_SUBSCRIPTION_ID;
  const tenantId = options.tenantId ?? DEFAULT_TENANT_ID;
  const appPrincipalId = options.appPrincipalId ?? randomUUID();
  const vaultProperties = { ...options.vaultProperties };
  for (const name of options.rbacVaults ?? []) {
    vaultProperties[name] = { ...vaultProperties[name], enableRbacAuthorization: true };
  }
  const resources = new ArmResources({
    clock,
    subscriptionId,
    additionalSubscriptionIds: options.additionalSubscriptionIds ?? [SECOND_SUBSCRIPTION_ID],
    tenantId,
    resourceGroup: options.resourceGroup ?? "rg-cmk",
    keyVaults: options.keyVaults,
    caPem: tls.caPem,
    throttling: options.throttling ?? true,
    vaultProperties,
    appPrincipalId,
    linkDurationMs: options.linkDurationMs ?? 0,
  });
  const msi = new MsiTokenHandler({ principalId: appPrincipalId });
  const armRoutes: Route[] = [
    // First: a role assignment's scope may itself be any other route's resource.
    roleAssignmentRoutes(resources.roleAssignments, subscriptionId),
    vaultRoutes(resources.vaultResources, tenantId, () => resources.knownPrincipalIds()),
    storageRoutes(resources.storage, resources.identities, tenantId),
    policyRoutes(resources.policies, resources.operations, tenantId),
    environmentRoutes(resources.environments, resources.operations),
    genericResourceRoutes((sub) => resources.genericResources(sub)),
    subscriptionRoutes(resources.subscriptions),
  ];
  // Resource Graph has its own quota instead of ARM's buckets, so it is routed before they are charged.
  const resourceGraph = resourceGraphRoutes({
    subscriptions: resources.subscriptions,
    quota: resources.resourceGraphQuota,
    faults: resources.resourceGraphFaults,
    rows: (subscriptionIds) => resources.resourceGraphRows(subscriptionIds),
  });
  const controlRoutes = emulatorRoutes(resources);
  let baseUrl = "";

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let ctx: RouteContext | undefined;
    try {
      const { segments, query } = parseTarget(req.url ?? "/");
      const method = (req.method ?? "GET").toUpperCase();
      if (segments[0]?.toLowerCase() === "msi" && segments[1]?.toLowerCase() === "token") {
        return msi.handle(req, res, query);
      }
      const isControl = segments[0] === "_emulator";
      const principalId = isControl ? "emulator-control" : authenticate(req);
      const body = method === "GET" || method === "DELETE" ? undefined : await readJsonBody(req);
      const routedMethod = method === "HEAD" ? "GET" : method;
      ctx = new RouteContext(
        { method: routedMethod, segments, query, principalId, body, raw: req },
        res,
        baseUrl,
        resources.subscriptions,
      );
      ctx.isHead = method === "HEAD";
      if (isControl) {
        await controlRoutes(ctx);
        return;
      }
      await resources.faults.apply();
      if (await resourceGraph(ctx)) return;
      const isWrite = method !== "GET" && method !== "HEAD";
      const isStorageWrite = isWrite && segments.some((s) => s.toLowerCase() === "microsoft.storage");
      const requestSubscription =
        segments[0]?.toLowerCase() === "subscriptions" ? segments[1] : subscriptionId;
      const isAdminApi =
        segments[0]?.toLowerCase() === "providers" &&
        segments[1]?.toLowerCase() === "microsoft.businessappplatform";
      Object.assign(
        ctx.headers,
        isAdminApi
          ? resources.throttling.chargeAdminApi(principalId)
          : resources.throttling.charge(
              isWrite ? "write" : "read",
              requestSubscription,
              principalId,
              isStorageWrite,
            ),
      );
      for (const route of armRoutes) {
        if (await route(ctx)) return;
      }
      throw new ArmError(404, "NotFound", `No route for ${method} /${segments.join("/")}.`);
    } catch (error) {
      if (error instanceof ArmError) {
        // HEAD answers carry no body (checkExistence* only reads the status).
        if (ctx?.isHead) return sendJson(res, error.status, undefined, { ...ctx.headers, ...error.headers });
        return sendArmError(res, error, ctx?.headers);
      }
      // Our own bug, not the caller's: answer without a stack trace and log it for the developer.
      console.error(
        `arm emulator: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      sendArmError(
        res,
        new ArmError(500, "InternalServerError", "The ARM emulator failed to handle the request."),
      );
    }
  };

  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `https://127.0.0.1:${port}`;
  // "Locked at once": after every clock jump, re-evaluate every policy and lock environments that lost their key.
  const unsubscribe = clock.onAdvance(() => resources.environments.refreshAll());
  const msiEndpoint = `${baseUrl}/msi/token`;

  return {
    url: baseUrl,
    subscriptionId,
    subscriptionIds: resources.subscriptions.ids(),
    tenantId,
    resourceGroup: resources.config.resourceGroup,
    managedIdentity: {
      endpoint: msiEndpoint,
      identityHeader: msi.identityHeader,
      principalId: appPrincipalId,
      env: { IDENTITY_ENDPOINT: msiEndpoint, IDENTITY_HEADER: msi.identityHeader },
    },
    seedStorageAccount: (seed) => resources.seedStorageAccount(seed),
    seedEnterprisePolicy: (seed) => resources.seedEnterprisePolicy(seed),
    seedEnvironment: (seed) => Promise.resolve().then(() => resources.seedEnvironment(seed)),
    seedStorageAccounts: (seed) => resources.seedStorageAccounts(seed),
    seedEnterprisePolicies: (seed) => Promise.resolve().then(() => resources.seedEnterprisePolicies(seed)),
    denySubscriptionRead: (id, principalId) => resources.subscriptions.deny(id, principalId),
    allowSubscriptionRead: (id, principalId) => resources.subscriptions.allow(id, principalId),
    resourceGraphQuota: () => resources.resourceGraphQuota.current(),
    setResourceGraphQuota: (quota) => resources.resourceGraphQuota.set(quota),
    setResourceGraphFaults: (faults) => resources.resourceGraphFaults.set(faults),
    clearResourceGraphFaults: () => resources.resourceGraphFaults.clear(),
    dataAccess: (name) => resources.storage.dataAccess(name),
    environmentDataAccess: (id) => resources.environments.dataAccess(id),
    vaults: () => resources.vaultResources.all().map((v) => ({ ...v, id: VaultResources.armId(v) })),
    setVaultProperties: (name, properties) => {
      resources.vaultResources.update(name, properties);
    },
    keyVaultAuthorizer: (name) => resources.keyVaultAuthorizer(name),
    assignRole: (assignment) => resources.assignRole(assignment),
    roleAssignments: () => resources.roleAssignments.all(),
    setLinkDuration: (ms, retryAfterSeconds) =>
      resources.environments.setOperationDuration(ms, retryAfterSeconds),
    storageAccounts: () => resources.storageAccountSummaries(),
    enterprisePolicies: () => resources.enterprisePolicySummaries(),
    environments: () => resources.environmentSummaries(),
    enableEnvironment: (id) => resources.enableEnvironment(id),
    faults: () => resources.faults.current(),
    setFaults: (faults) => resources.faults.set(faults),
    clearFaults: () => resources.faults.clear(),
    setThrottling: (enabled) => {
      resources.throttling.enabled = enabled;
    },
    requestCounts: () => ({
      limits: resources.throttling.counter.all(),
      resourceGraphQueries: resources.resourceGraphQuota.requestCounts(),
    }),
    resetRequestCounts: () => {
      resources.throttling.counter.reset();
      resources.resourceGraphQuota.resetRequestCounts();
    },
    stop: async () => {
      unsubscribe();
      resources.stop();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
