// Runs one invocation the way the Node worker does: programming model arguments, hooks, handler, RPC response.
import { randomUUID } from "node:crypto";
import { errorMessage, type HostLogger } from "../hostLog";
import type { AppRegistrations } from "./coreApi";
import type { RpcInvocationResponse, RpcParameterBinding, RpcTypedData } from "./coreTypes";
import type { CatalogEntry } from "./functionCatalog";

export interface InvocationRequest {
  /** Data for the trigger binding. */
  trigger: RpcTypedData;
  /** Data for other input bindings, by binding name (for example the durable client). */
  extraInputs?: Record<string, RpcTypedData>;
  triggerMetadata?: Record<string, RpcTypedData>;
}

export type InvocationOutcome =
  | { ok: true; invocationId: string; returnValue?: RpcTypedData | null; outputData: RpcParameterBinding[] }
  | { ok: false; invocationId: string; error: Error };

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(errorMessage(error));
}

/** Invokes registered functions through the programming model the app's @azure/functions installed. */
export class FunctionInvoker {
  private readonly appHookData: Record<string, unknown> = {};

  /**
   * @param bindingInputsFor input data the host supplies to a function's non-trigger bindings on every invocation,
   * whatever the trigger (the durable client binding of HTTP, Event Grid, timer or activity functions).
   */
  constructor(
    private readonly registrations: AppRegistrations,
    private readonly log: HostLogger,
    private readonly bindingInputsFor: (entry: CatalogEntry) => Record<string, RpcTypedData> = () => ({}),
  ) {}

  async invoke(entry: CatalogEntry, request: InvocationRequest): Promise<InvocationOutcome> {
    const invocationId = randomUUID();
    const model = this.registrations.programmingModel;
    if (!model)
      return { ok: false, invocationId, error: new Error("the app did not set a programming model") };
    const inputData: RpcParameterBinding[] = [{ name: entry.trigger.name, data: request.trigger }];
    const extraInputs = { ...this.bindingInputsFor(entry), ...request.extraInputs };
    for (const [name, data] of Object.entries(extraInputs)) inputData.push({ name, data });
    const coreContext = {
      invocationId,
      request: {
        invocationId,
        functionId: entry.name,
        inputData,
        triggerMetadata: request.triggerMetadata ?? {},
      },
      metadata: { name: entry.name, bindings: entry.metadata.bindings },
      state: undefined as "preInvocationHooks" | "postInvocationHooks" | "invocation" | undefined,
      log: (
        level: Parameters<HostLogger>[0]["level"],
        category: Parameters<HostLogger>[0]["category"],
        message: string,
      ) => this.log({ level, category, message, functionName: entry.name, invocationId }),
    };
    try {
      const invocationModel = model.getInvocationModel(coreContext);
      const { context, inputs } = await invocationModel.getArguments();
      const hookData: Record<string, unknown> = {};
      const preContext = {
        hookData,
        appHookData: this.appHookData,
        invocationContext: context,
        functionCallback: entry.callback,
        inputs,
      };
      coreContext.state = "preInvocationHooks";
      for (const hook of this.registrations.hooks.preInvocation) await hook(preContext);
      coreContext.state = "invocation";
      let result: unknown;
      let failure: unknown;
      try {
        result = await invocationModel.invokeFunction(
          context,
          preContext.inputs,
          preContext.functionCallback,
        );
      } catch (error) {
        failure = error;
      }
      coreContext.state = "postInvocationHooks";
      const postContext = {
        hookData,
        appHookData: this.appHookData,
        invocationContext: context,
        inputs: preContext.inputs,
        result,
        error: failure,
      };
      for (const hook of this.registrations.hooks.postInvocation) await hook(postContext);
      if (postContext.error !== undefined && postContext.error !== null) throw asError(postContext.error);
      const response: RpcInvocationResponse = await invocationModel.getResponse(context, postContext.result);
      return {
        ok: true,
        invocationId,
        returnValue: response.returnValue,
        outputData: response.outputData ?? [],
      };
    } catch (error) {
      return { ok: false, invocationId, error: asError(error) };
    }
  }

  /** Runs appStart (after load) or appTerminate (before stop) hooks, logging but not throwing their failures. */
  async runAppHooks(name: "appStart" | "appTerminate", functionAppDirectory: string): Promise<void> {
    for (const hook of this.registrations.hooks[name]) {
      const context: Record<string, unknown> = { hookData: {}, appHookData: this.appHookData };
      if (name === "appStart") context.functionAppDirectory = functionAppDirectory;
      try {
        await hook(context);
      } catch (error) {
        this.log({
          level: "error",
          category: "system",
          message: `${name} hook failed: ${errorMessage(error)}`,
        });
      }
    }
  }
}

/** Decodes RPC typed data the way the host reads a function's result (JSON value, string, bytes, number). */
export function fromTypedData(data: RpcTypedData | null | undefined): unknown {
  if (!data) return undefined;
  if (data.json !== undefined && data.json !== null) return JSON.parse(data.json) as unknown;
  if (data.string !== undefined && data.string !== null) return data.string;
  if (data.bytes) return Buffer.from(data.bytes);
  if (data.int !== undefined && data.int !== null) return Number(data.int);
  if (data.double !== undefined && data.double !== null) return data.double;
  if (data.collectionString?.string) return data.collectionString.string;
  return undefined;
}

/** Encodes a value as JSON typed data (what the host sends for JSON-ish trigger payloads). */
export function jsonTypedData(value: unknown): RpcTypedData {
  return { json: JSON.stringify(value ?? null) };
}
