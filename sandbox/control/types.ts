// The seams of the sandbox control API: what it needs from the emulators, as small interfaces the launcher fills in.

/** The components faults can be injected into (docs/sandbox.md). */
export const FAULT_TARGET_NAMES = ["keyvault", "arm", "tables", "resourcegraph"] as const;
export type FaultTargetName = (typeof FAULT_TARGET_NAMES)[number];

/** One `POST /faults` request after validation. */
export interface FaultSpec {
  /** Share of requests (0..1) that fail with one of `statuses`. */
  errorRate: number;
  statuses: number[];
  /** Added to every request, in real milliseconds. */
  latencyMs: number;
  /** Turns the component's own service limits (429 + Retry-After) on or off; undefined leaves them. */
  throttle?: boolean;
}

/** One component that can misbehave on request. */
export interface FaultTarget {
  setFaults(spec: FaultSpec): void;
  clearFaults(): void;
  /** Absent when the component has no throttling to switch. */
  setThrottling?(isEnabled: boolean): void;
}

/** The answer of a consumer probe: 200 when the storage account can unwrap its key now, 403 when not. */
export interface DataAccessProbe {
  status: number;
  body: unknown;
}

/** Consumer probes served by the ARM emulator. */
export interface ConsumerProbes {
  storageDataAccess(accountName: string): Promise<DataAccessProbe>;
  /** Each Power Platform environment with its policy and state (Enabled | Locked). */
  environments(): Promise<unknown[]>;
}
