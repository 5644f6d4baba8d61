// What a route handler gets: the parsed request, the emulator's own origin, and a reply function.
import type { ServerResponse } from "node:http";
import type { Subscriptions } from "../subscriptions/Subscriptions";
import { ArmError, type ArmRequest, sendJson } from "./armHttp";

export class RouteContext {
  /** Headers every answer to this request carries (throttling headroom). */
  readonly headers: Record<string, string> = {};

  constructor(
    readonly req: ArmRequest,
    readonly res: ServerResponse,
    /** `https://127.0.0.1:{port}`: absolute URLs for operation polling point back here. */
    readonly baseUrl: string,
    readonly subscriptions: Subscriptions,
  ) {}

  /** A HEAD request (checkExistence*) is routed as a GET and answered 204 without a body. */
  isHead = false;

  send(status: number, body: unknown, headers: Record<string, string> = {}): true {
    const isHeadSuccess = this.isHead && status >= 200 && status < 300;
    sendJson(this.res, isHeadSuccess ? 204 : status, isHeadSuccess ? undefined : body, {
      ...this.headers,
      ...headers,
    });
    return true;
  }

  /** The api-version query value, or the 400 ARM answers when it is missing. */
  apiVersion(): string {
    const version = this.req.query.get("api-version");
    if (!version) {
      throw new ArmError(
        400,
        "MissingApiVersionParameter",
        "The api-version query parameter (?api-version=) is required for all requests.",
      );
    }
    return version;
  }

  /** 404 SubscriptionNotFound for an unknown subscription, 403 AuthorizationFailed for one the caller may not read. */
  requireSubscription(subscriptionId: string): void {
    this.subscriptions.requireReadable(subscriptionId, this.req.principalId);
  }
}

export type Route = (ctx: RouteContext) => Promise<boolean>;
