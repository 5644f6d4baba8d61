// The sandbox's fixed default ports, their environment overrides (0 = any free port), and a clear check that they are free.
import { createServer } from "node:net";

export interface PortSetting {
  /** What listens there, for messages. */
  role: string;
  env: string;
  defaultPort: number;
}

export const PORT_SETTINGS = {
  functions: { role: "function app (local host)", env: "CMK_SANDBOX_FUNCTIONS_PORT", defaultPort: 7071 },
  control: { role: "sandbox control API", env: "CMK_SANDBOX_CONTROL_PORT", defaultPort: 7072 },
  arm: { role: "ARM emulator", env: "CMK_SANDBOX_ARM_PORT", defaultPort: 8443 },
  keyVault: {
    role: "Key Vault emulator (first vault; the next vault uses +1)",
    env: "CMK_SANDBOX_KEYVAULT_PORT",
    defaultPort: 8444,
  },
  table: {
    role: "Azurite Table (through the fault proxy)",
    env: "CMK_SANDBOX_TABLE_PORT",
    defaultPort: 10002,
  },
  blob: { role: "Azurite Blob", env: "CMK_SANDBOX_BLOB_PORT", defaultPort: 10000 },
  queue: { role: "Azurite Queue", env: "CMK_SANDBOX_QUEUE_PORT", defaultPort: 10001 },
} as const satisfies Record<string, PortSetting>;

export type PortName = keyof typeof PORT_SETTINGS;
export type SandboxPorts = Record<PortName, number>;

/** `CMK_SANDBOX_PORTS=0` sets every port to "any free port" (tests); a per-port variable wins over it. */
export const ALL_PORTS_ENV = "CMK_SANDBOX_PORTS";

export class PortError extends Error {}

export function resolvePorts(env: NodeJS.ProcessEnv): SandboxPorts {
  const result = {} as SandboxPorts;
  for (const [name, setting] of Object.entries(PORT_SETTINGS) as Array<[PortName, PortSetting]>) {
    const raw = env[setting.env] ?? (env[ALL_PORTS_ENV] === "0" ? "0" : undefined);
    if (raw === undefined || raw.trim() === "") {
      result[name] = setting.defaultPort;
      continue;
    }
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new PortError(`${setting.env}=${raw} is not a port: give 1-65535, or 0 for any free port`);
    }
    result[name] = port;
  }
  return result;
}

/** Fails with one message listing every fixed port that something else already holds. */
export async function assertPortsFree(ports: SandboxPorts, host = "127.0.0.1"): Promise<void> {
  const fixed: Array<[PortName, number]> = [];
  for (const [name, port] of Object.entries(ports) as Array<[PortName, number]>) {
    if (port === 0) continue;
    fixed.push([name, port]);
    // The second vault listens on the next port.
    if (name === "keyVault") fixed.push([name, port + 1]);
  }
  const taken: string[] = [];
  for (const [name, port] of fixed) {
    if (!(await isFree(port, host))) {
      const setting: PortSetting = PORT_SETTINGS[name];
      taken.push(
        `port ${port} (${setting.role}) is already in use: stop what holds it, or set ${setting.env} to another port (0 = any free port)`,
      );
    }
  }
  if (taken.length > 0) throw new PortError(taken.join("\n"));
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}
