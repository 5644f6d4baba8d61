// Chaos, small: 30 rotations over 10 keys through 20 % Key Vault, ARM and Table Storage faults (half of Key Vault's
// after the vault carried the request out), every activity delivered at least twice, the host restarted twice on
// its durable store; nothing may be lost. The bench runs 200 with versionless targets: npm run bench -- chaos.
import { describe, expect, it } from "vitest";
import { runChaos } from "../../support/chaos/runChaos";

describe("chaos", () => {
  it(
    "rotates 30 times through faults, duplicate deliveries and two restarts with no violation",
    { timeout: 240_000 },
    async () => {
      const report = await runChaos({
        keyCount: 10,
        rotationsPerKey: 3,
        withVersionless: false,
        retireEachRound: false,
        roundTimeoutMs: 60_000,
      });
      const summary = report.lines.join("\n");
      expect(report.findings.operations, summary).toBeGreaterThanOrEqual(30);
      expect(report.violations, summary).toBe(0);
    },
  );
});
