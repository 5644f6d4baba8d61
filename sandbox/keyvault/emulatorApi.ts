// The per-vault emulator API under /_emulator (no token): event subscriptions, deliveries, faults, throttling, access.
import { badParameter, KeyVaultError } from "./errors";
import { parseSubscriptionInput } from "./EventPublisher";
import { parseFaultSettings, NO_FAULTS } from "./Faults";
import type { Vault } from "./Vault";

export interface EmulatorResponse {
  status: number;
  body?: unknown;
}

function principalFrom(body: unknown): string {
  const principalId =
    typeof body === "object" && body !== null ? (body as Record<string, unknown>).principalId : undefined;
  if (typeof principalId !== "string" || principalId.length === 0) {
    throw badParameter('principalId must be a principal object id, or "*" for everyone.');
  }
  return principalId;
}

export class EmulatorApi {
  constructor(private readonly vault: Vault) {}

  async handle(method: string, segments: string[], body: unknown): Promise<EmulatorResponse> {
    const route = `${method} ${segments.join("/")}`;
    const [resource, id] = segments;
    const { vault } = this;
    switch (route) {
      case "GET ":
      case "GET info":
        return { status: 200, body: { name: vault.name, url: vault.url, armId: vault.armId } };
      case "GET eventSubscriptions":
        return { status: 200, body: { value: vault.events.list() } };
      case "POST eventSubscriptions":
        return { status: 201, body: await vault.events.subscribe(parseSubscriptionInput(body)) };
      case "GET deliveries":
        return { status: 200, body: { value: vault.events.listDeliveries() } };
      case "POST deliveries/duplicate": {
        const count =
          typeof body === "object" && body !== null ? (body as Record<string, unknown>).count : undefined;
        vault.events.duplicateNext(typeof count === "number" ? count : -1);
        return { status: 200, body: { count } };
      }
      case "POST deliveries/idle":
        await vault.idle();
        return { status: 200, body: { value: vault.events.listDeliveries() } };
      case "GET faults":
        return { status: 200, body: vault.faults.settings };
      case "PUT faults":
        vault.faults.settings = parseFaultSettings(body);
        return { status: 200, body: vault.faults.settings };
      case "DELETE faults":
        vault.faults.settings = NO_FAULTS;
        return { status: 204 };
      case "GET throttling":
        return { status: 200, body: { enabled: vault.throttle.isEnabled, limits: vault.throttle.limits } };
      case "PUT throttling": {
        const enabled =
          typeof body === "object" && body !== null ? (body as Record<string, unknown>).enabled : undefined;
        if (typeof enabled !== "boolean") throw badParameter("enabled must be true or false.");
        vault.throttle.isEnabled = enabled;
        return { status: 200, body: { enabled, limits: vault.throttle.limits } };
      }
      case "GET access":
        return { status: 200, body: vault.access.state() };
      case "POST access/deny":
        vault.access.deny(principalFrom(body));
        return { status: 200, body: vault.access.state() };
      case "POST access/allow":
        vault.access.allow(principalFrom(body));
        return { status: 200, body: vault.access.state() };
    }
    if (method === "DELETE" && resource === "eventSubscriptions" && id && segments.length === 2) {
      vault.events.unsubscribe(id);
      return { status: 204 };
    }
    throw new KeyVaultError(404, "NotFound", `No emulator route ${method} /_emulator/${segments.join("/")}.`);
  }
}
