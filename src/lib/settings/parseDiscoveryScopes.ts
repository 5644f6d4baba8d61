// CMK_DISCOVERY_SCOPES: the subscriptions (GUIDs) and management groups (`mg:<name>`) discovery searches.
import { SettingsError } from "./SettingsError";

const SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MANAGEMENT_GROUP = /^mg:([A-Za-z0-9_().-]{1,90})$/;

/** Unset or empty: every subscription the app's identity can read. */
export function parseDiscoveryScopes(value: string | undefined): {
  subscriptions: string[];
  managementGroups: string[];
} {
  const scopes = { subscriptions: [] as string[], managementGroups: [] as string[] };
  for (const entry of (value ?? "").split(",").map((part) => part.trim())) {
    if (entry.length === 0) continue;
    const group = MANAGEMENT_GROUP.exec(entry);
    if (group) scopes.managementGroups.push(group[1]);
    else if (SUBSCRIPTION_ID.test(entry)) scopes.subscriptions.push(entry.toLowerCase());
    else
      throw new SettingsError(
        "CMK_DISCOVERY_SCOPES",
        `has "${entry}", which is neither a subscription id (GUID) nor a management group (mg:<name>): list them comma-separated, or leave it empty for every subscription the app can read.`,
      );
  }
  return scopes;
}
