// Long-running operations: ARM's Azure-AsyncOperation status resources and BAP's operation-location resources.
import { randomUUID } from "node:crypto";

export type OperationStatus = "InProgress" | "Succeeded" | "Failed";

export interface AsyncOperation {
  id: string;
  /** What the operation acts on (an ARM id or an environment id), for diagnostics. */
  target: string;
  status: OperationStatus;
  startTime: string;
  endTime?: string;
  error?: { code: string; message: string };
  /** When the emulator will finish it (Unix ms), for an honest Retry-After. */
  expectedEndMs?: number;
}

/** Registry of operations; each one is finished by whoever started it. */
export class AsyncOperations {
  private readonly operations = new Map<string, AsyncOperation>();

  constructor(private readonly nowIso: () => string) {}

  start(target: string): AsyncOperation {
    const operation: AsyncOperation = {
      id: randomUUID(),
      target,
      status: "InProgress",
      startTime: this.nowIso(),
    };
    this.operations.set(operation.id, operation);
    return operation;
  }

  succeed(operation: AsyncOperation): void {
    operation.status = "Succeeded";
    operation.endTime = this.nowIso();
  }

  fail(operation: AsyncOperation, error: { code: string; message: string }): void {
    operation.status = "Failed";
    operation.error = error;
    operation.endTime = this.nowIso();
  }

  get(id: string): AsyncOperation | undefined {
    return this.operations.get(id);
  }
}
