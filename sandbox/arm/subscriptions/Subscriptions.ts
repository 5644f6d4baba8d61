// The emulator's subscriptions and who may read them (the only access check the ARM emulator makes).
import { ArmError } from "../http/armHttp";

/** Marks a subscription unreadable for every caller. */
const EVERYONE = "*";

export class Subscriptions {
  private readonly known: string[];
  /** Lower-case subscription id -> principals (or EVERYONE) that may not read it. */
  private readonly denied = new Map<string, Set<string>>();

  constructor(
    readonly primaryId: string,
    otherIds: string[],
    readonly tenantId: string,
  ) {
    this.known = [primaryId, ...otherIds.filter((id) => id.toLowerCase() !== primaryId.toLowerCase())];
  }

  /** Every subscription, the primary one first. */
  ids(): string[] {
    return [...this.known];
  }

  /** The id as the emulator spells it, or undefined for an unknown subscription. */
  canonical(subscriptionId: string): string | undefined {
    return this.known.find((id) => id.toLowerCase() === subscriptionId.toLowerCase());
  }

  isReadableBy(subscriptionId: string, principalId: string): boolean {
    const denied = this.denied.get(subscriptionId.toLowerCase());
    return !denied || (!denied.has(EVERYONE) && !denied.has(principalId));
  }

  /** The subscriptions `principalId` may read, in the emulator's order. */
  readableBy(principalId: string): string[] {
    return this.known.filter((id) => this.isReadableBy(id, principalId));
  }

  /** Takes read access away from one principal, or from everyone when `principalId` is absent. */
  deny(subscriptionId: string, principalId?: string): void {
    const id = this.require(subscriptionId).toLowerCase();
    const denied = this.denied.get(id) ?? new Set<string>();
    denied.add(principalId ?? EVERYONE);
    this.denied.set(id, denied);
  }

  /** Gives read access back to one principal, or clears every denial on the subscription. */
  allow(subscriptionId: string, principalId?: string): void {
    const id = this.require(subscriptionId).toLowerCase();
    if (principalId === undefined) this.denied.delete(id);
    else this.denied.get(id)?.delete(principalId);
  }

  /** Subscriptions with a denial, for the control API. */
  denials(): { subscriptionId: string; principalIds: string[] }[] {
    return this.known
      .filter((id) => (this.denied.get(id.toLowerCase())?.size ?? 0) > 0)
      .map((id) => ({
        subscriptionId: id,
        principalIds: [...(this.denied.get(id.toLowerCase()) ?? [])],
      }));
  }

  /** The canonical id, or ARM's 404 SubscriptionNotFound. */
  require(subscriptionId: string): string {
    const id = this.canonical(subscriptionId);
    if (!id) {
      throw new ArmError(
        404,
        "SubscriptionNotFound",
        `The subscription '${subscriptionId}' could not be found.`,
      );
    }
    return id;
  }

  /** The canonical id if `principalId` may use it; 404 when unknown, ARM's 403 AuthorizationFailed when denied. */
  requireReadable(subscriptionId: string, principalId: string): string {
    const id = this.require(subscriptionId);
    if (!this.isReadableBy(id, principalId)) {
      throw new ArmError(
        403,
        "AuthorizationFailed",
        `The client with object id '${principalId}' does not have authorization to perform this action over scope '/subscriptions/${id}' or the scope is invalid.`,
      );
    }
    return id;
  }
}
