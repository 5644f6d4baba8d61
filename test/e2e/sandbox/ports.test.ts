// The sandbox's port settings: fixed defaults, per-port and all-ports overrides, and the taken-port message.
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { assertPortsFree, PORT_SETTINGS, resolvePorts } from "../../../sandbox/launcher/ports";

describe("resolvePorts", () => {
  it("uses the fixed defaults", () => {
    expect(resolvePorts({})).toEqual({
      functions: 7071,
      control: 7072,
      arm: 8443,
      keyVault: 8444,
      table: 10002,
      blob: 10000,
      queue: 10001,
    });
  });

  it("lets CMK_SANDBOX_PORTS=0 free every port and a per-port variable win over it", () => {
    const ports = resolvePorts({ CMK_SANDBOX_PORTS: "0", CMK_SANDBOX_FUNCTIONS_PORT: "7171" });
    expect(ports.functions).toBe(7171);
    expect(
      Object.entries(ports)
        .filter(([name]) => name !== "functions")
        .every(([, port]) => port === 0),
    ).toBe(true);
  });

  it.each(["-1", "65536", "abc", "80.5"])("refuses %s and names the variable", (value) => {
    expect(() => resolvePorts({ CMK_SANDBOX_CONTROL_PORT: value })).toThrow(
      `${PORT_SETTINGS.control.env}=${value} is not a port`,
    );
  });
});

describe("assertPortsFree", () => {
  it("names every taken port, what it is for and the variable to change", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const ports = { ...resolvePorts({ CMK_SANDBOX_PORTS: "0" }), keyVault: port - 1 };
      await expect(assertPortsFree(ports)).rejects.toThrow(
        `port ${port} (${PORT_SETTINGS.keyVault.role}) is already in use: stop what holds it, or set CMK_SANDBOX_KEYVAULT_PORT`,
      );
      await expect(assertPortsFree(resolvePorts({ CMK_SANDBOX_PORTS: "0" }))).resolves.toBeUndefined();
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
