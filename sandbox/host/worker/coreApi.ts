// Provides the module `@azure/functions-core` (normally injected by the Node worker) so every app.* call registers here.
import Module from "node:module";
import type {
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  HookName,
  ProgrammingModel,
  RpcLogCategory,
  RpcLogLevel,
} from "./coreTypes";

export const CORE_MODULE_NAME = "@azure/functions-core";
/** A path that cannot exist on disk, used as the cache key of the provided module. */
const CORE_MODULE_FILENAME = "\0local-host/@azure/functions-core";

/** Everything one app load registered: functions with metadata and callback, hooks, the programming model. */
export interface AppRegistrations {
  functions: Array<{ metadata: FunctionMetadata; callback: FunctionCallback }>;
  hooks: Record<HookName, HookCallback[]>;
  programmingModel?: ProgrammingModel;
  /** System log lines the library writes through `coreApi.log` (kept for diagnostics). */
  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void;
}

/** The registrations currently collecting: set while an app is loading, then kept for later hook calls. */
let activeSink: AppRegistrations | undefined;

class Disposable {
  static from(...items: Array<{ dispose(): unknown }>): Disposable {
    return new Disposable(() => items.forEach((item) => item.dispose()));
  }
  constructor(private readonly callOnDispose: () => unknown) {}
  dispose(): unknown {
    return this.callOnDispose();
  }
}

function requireSink(what: string): AppRegistrations {
  if (!activeSink) {
    throw new Error(
      `${what} was called outside the local host: load the app through startLocalHost or captureApp`,
    );
  }
  return activeSink;
}

/** The object `require("@azure/functions-core")` returns; same surface as the worker's (types-core). */
const coreApi = {
  version: "3.10.1",
  hostVersion: "4.1037.0",
  Disposable,
  registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
    const sink = requireSink(`registerFunction("${metadata.name}")`);
    if (sink.functions.some((f) => f.metadata.name.toLowerCase() === metadata.name.toLowerCase())) {
      // The worker refuses duplicates the same way: a function name is unique within an app.
      throw new Error(`A function with the name "${metadata.name}" has already been registered.`);
    }
    const entry = { metadata, callback };
    sink.functions.push(entry);
    return new Disposable(() => {
      sink.functions.splice(sink.functions.indexOf(entry), 1);
    });
  },
  registerHook(hookName: string, callback: HookCallback): Disposable {
    const sink = requireSink(`registerHook("${hookName}")`);
    if (!(hookName in sink.hooks)) throw new Error(`"${hookName}" is not a valid hook name.`);
    const list = sink.hooks[hookName as HookName];
    list.push(callback);
    return new Disposable(() => {
      list.splice(list.indexOf(callback), 1);
    });
  },
  setProgrammingModel(model: ProgrammingModel): void {
    requireSink("setProgrammingModel").programmingModel = model;
  },
  getProgrammingModel(): ProgrammingModel | undefined {
    return activeSink?.programmingModel;
  },
  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void {
    activeSink?.log(level, category, message);
  },
};

let isInstalled = false;

/** Makes `require("@azure/functions-core")` resolve to this module, process-wide and idempotently. */
export function installCoreApi(): void {
  if (isInstalled) return;
  const moduleInternals = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
    _cache: Record<string, unknown>;
  };
  const originalResolve = moduleInternals._resolveFilename;
  moduleInternals._resolveFilename = function resolveWithCore(request: string, ...rest: unknown[]): string {
    if (request === CORE_MODULE_NAME) return CORE_MODULE_FILENAME;
    return originalResolve.call(this, request, ...rest);
  };
  const provided = new Module(CORE_MODULE_FILENAME);
  provided.filename = CORE_MODULE_FILENAME;
  provided.loaded = true;
  provided.exports = coreApi;
  moduleInternals._cache[CORE_MODULE_FILENAME] = provided;
  isInstalled = true;
}

export function newRegistrations(log: AppRegistrations["log"]): AppRegistrations {
  return {
    functions: [],
    hooks: { preInvocation: [], postInvocation: [], appStart: [], appTerminate: [] },
    log,
  };
}

/** Routes registrations to `sink` while `load` runs (an app load is synchronous `require`, or an awaited import). */
export async function collectRegistrations(sink: AppRegistrations, load: () => unknown): Promise<void> {
  installCoreApi();
  // The sink stays active after loading: hooks registered at run time and the library's system log lines
  // (coreApi.log during invocations) belong to the most recently loaded app, as in a worker process.
  activeSink = sink;
  await load();
}
