// CMK_DISCOVERY_SCOPES: subscription GUIDs and mg:<name> management groups, or nothing for all readable ones.
import { describe, expect, it } from "vitest";
import { parseDiscoveryScopes } from "../../../../src/lib/settings/parseDiscoveryScopes";

describe("parseDiscoveryScopes", () => {
  it("is empty (every readable subscription) when unset", () => {
    expect(parseDiscoveryScopes(undefined)).toEqual({ subscriptions: [], managementGroups: [] });
  });
  it("splits subscriptions and management groups", () => {
    expect(parseDiscoveryScopes(" 0000000A-0000-0000-0000-000000000001 , mg:contoso-root ,")).toEqual({
      subscriptions: ["0000000a-0000-0000-0000-000000000001"],
      managementGroups: ["contoso-root"],
    });
  });
  it("names the setting and the bad entry", () => {
    expect(() => parseDiscoveryScopes("prod")).toThrow(/CMK_DISCOVERY_SCOPES.*"prod"/);
  });
});
