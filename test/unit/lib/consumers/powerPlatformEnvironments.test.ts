// Unit tests of the admin API environment parsing: links matched by policy id or systemId, pages followed.
import { describe, expect, it } from "vitest";
import type { PowerPlatformAdminClient } from "../../../../src/lib/azure";
import { listEnvironmentsLinkedTo } from "../../../../src/lib/consumers/powerPlatformEnvironments";

const policyId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.PowerPlatform/enterprisePolicies/ep";

/** A canned admin API (pure logic test: no I/O involved). */
function cannedAdmin(pages: Record<string, unknown>): PowerPlatformAdminClient & { paths: string[] } {
  const paths: string[] = [];
  return {
    endpoint: "https://bap.invalid",
    paths,
    request(_method, path) {
      paths.push(path);
      return Promise.resolve({
        status: 200,
        headers: {},
        body: pages[path.startsWith("https:") ? path : "first"],
      });
    },
  };
}

const environment = (name: string, link: Record<string, unknown> | undefined, runtime = "Enabled") => ({
  name,
  properties: {
    displayName: name.toUpperCase(),
    states: { runtime: { id: runtime } },
    ...(link ? { enterprisePolicies: link } : {}),
  },
});

describe("listEnvironmentsLinkedTo", () => {
  it("matches by ARM id or systemId whatever the entry is called, skips unlinked ones, follows nextLink", async () => {
    const admin = cannedAdmin({
      first: {
        value: [
          environment("a", { CustomerManagedKeys: { id: policyId.toUpperCase(), linkStatus: "Linked" } }),
          environment(
            "b",
            {
              Encryption: {
                systemId: "/regions/europe/providers/Microsoft.PowerPlatform/enterprisePolicies/sys-1",
              },
            },
            "Locked",
          ),
          environment("c", { CustomerManagedKeys: { id: policyId, linkStatus: "Unlinked" } }),
          environment("d", undefined),
        ],
        nextLink: "https://bap.invalid/next?page=2",
      },
      "https://bap.invalid/next?page=2": {
        value: [
          environment("e", { NetworkInjection: { id: "other" }, CustomerManagedKeys: { id: policyId } }),
        ],
      },
    });
    const linked = await listEnvironmentsLinkedTo(admin, {
      resourceId: policyId,
      systemId: "/regions/europe/providers/Microsoft.PowerPlatform/enterprisePolicies/sys-1",
    });
    expect(linked).toEqual([
      { id: "a", displayName: "A", state: "Enabled" },
      { id: "b", displayName: "B", state: "Locked" },
      { id: "e", displayName: "E", state: "Enabled" },
    ]);
    expect(admin.paths).toHaveLength(2);
  });
});
