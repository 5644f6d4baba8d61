// Sorts an app's registrations by trigger, reading only the metadata the app registered (no second list of functions).
import type { FunctionCallback, FunctionMetadata, RpcBindingInfo } from "./coreTypes";

export type TriggerKind = "http" | "eventGrid" | "timer" | "orchestration" | "activity" | "entity" | "other";
export type AuthLevel = "anonymous" | "function" | "admin";

/** What the host knows about one registered function (the public view, without the callback). */
export interface FunctionInfo {
  name: string;
  kind: TriggerKind;
  /** The trigger binding exactly as registered (type, schedule, route, methods, authLevel, ...). */
  trigger: RpcBindingInfo & { name: string };
  /** HTTP triggers: route template without the prefix, allowed methods (upper case), auth level. */
  route?: string;
  methods?: string[];
  authLevel?: AuthLevel;
  /** Timer triggers: the schedule as registered (may be a %SETTING% reference). */
  schedule?: string;
  runOnStartup?: boolean;
  /** Names of `durableClient` input bindings the host must fill. */
  durableClientInputs: string[];
}

export interface CatalogEntry extends FunctionInfo {
  metadata: FunctionMetadata;
  callback: FunctionCallback;
}

const TRIGGER_KINDS: Record<string, TriggerKind> = {
  httptrigger: "http",
  eventgridtrigger: "eventGrid",
  timertrigger: "timer",
  orchestrationtrigger: "orchestration",
  activitytrigger: "activity",
  entitytrigger: "entity",
};

function isTriggerType(type: string | null | undefined): boolean {
  return !!type && /trigger$/i.test(type);
}

function readAuthLevel(value: unknown, functionName: string): AuthLevel {
  const level = typeof value === "string" ? value.toLowerCase() : "anonymous";
  if (level === "anonymous" || level === "function" || level === "admin") return level;
  throw new Error(`Function "${functionName}" has an unknown authLevel "${String(value)}"`);
}

function toEntry(metadata: FunctionMetadata, callback: FunctionCallback): CatalogEntry {
  const triggerEntry = Object.entries(metadata.bindings).find(([, binding]) => isTriggerType(binding.type));
  if (!triggerEntry) throw new Error(`Function "${metadata.name}" has no trigger binding`);
  const [triggerName, triggerBinding] = triggerEntry;
  const triggerType = String(triggerBinding.type);
  const kind = TRIGGER_KINDS[triggerType.toLowerCase()] ?? "other";
  const durableClientInputs = Object.entries(metadata.bindings)
    .filter(([, b]) => b.direction === "in" && /^(durableClient|orchestrationClient)$/i.test(String(b.type)))
    .map(([name]) => name);
  const entry: CatalogEntry = {
    name: metadata.name,
    kind,
    trigger: { ...triggerBinding, name: triggerName },
    durableClientInputs,
    metadata,
    callback,
  };
  if (kind === "http") {
    const route =
      typeof triggerBinding.route === "string" && triggerBinding.route ? triggerBinding.route : metadata.name;
    entry.route = route.replace(/^\/+/, "");
    const methods = triggerBinding.methods;
    // No methods in the metadata means every method, as in Azure.
    entry.methods =
      Array.isArray(methods) && methods.length ? methods.map((m) => String(m).toUpperCase()) : undefined;
    entry.authLevel = readAuthLevel(triggerBinding.authLevel, metadata.name);
  }
  if (kind === "timer") {
    entry.schedule = typeof triggerBinding.schedule === "string" ? triggerBinding.schedule : "";
    entry.runOnStartup = triggerBinding.runOnStartup === true;
  }
  return entry;
}

/** Every registered function with its trigger kind and parsed trigger options. */
export function buildCatalog(
  functions: ReadonlyArray<{ metadata: FunctionMetadata; callback: FunctionCallback }>,
): CatalogEntry[] {
  return functions.map(({ metadata, callback }) => toEntry(metadata, callback));
}

/** The public view of a catalog entry. */
export function describeFunction(entry: CatalogEntry): FunctionInfo {
  const { metadata: _metadata, callback: _callback, ...info } = entry;
  return info;
}
