// Parses the cmk-rotator command line into one typed command plus global options (no I/O here).
import { parseArgs } from "node:util";
import { usageError } from "./CliError";

export interface GlobalOptions {
  baseUrl?: string;
  functionKey?: string;
  revocationSecret?: string;
  /** Print the server's JSON instead of the human rendering. */
  isJson: boolean;
  /** Progress display while waiting: on a TTY by default, or forced on/off. */
  progress: "auto" | "always" | "never";
  /** How long --wait waits before giving up (exit code 7). */
  timeoutSeconds: number;
  /** Pause between status polls while waiting. */
  pollIntervalSeconds: number;
}

export interface BindingTargetArg {
  kind: string;
  mode: string;
  resourceId: string;
}

export interface BindingPolicyArg {
  rotateEvery?: string;
  expiresAfter?: string;
  retireAfter?: string;
}

/** What `status <id>` reads; "any" asks for a rotation, then a revocation, then a key change. */
export type StatusKind = "any" | "rotation" | "revocation" | "keyChange";

export type KeyChangeStrategyArg = "documented" | "direct";

export type Command =
  | { name: "help"; topic?: string }
  | { name: "version" }
  | { name: "rotate"; keyRef: string; isDryRun: boolean; shouldWait: boolean; reason?: string }
  | { name: "status"; id: string; kind: StatusKind; shouldWait: boolean }
  | { name: "history"; vaultName: string; keyName: string; top?: number }
  | { name: "discover"; vaultName?: string; keyName?: string; isAll: boolean; shouldRegister: boolean }
  | { name: "bindingsList" }
  | { name: "bindingsGet"; vaultName: string; keyName: string }
  | {
      name: "bindingsSet";
      vaultName: string;
      keyName: string;
      targets: BindingTargetArg[];
      policy: BindingPolicyArg;
      /** A JSON file (or "-" for stdin) holding the whole PUT body instead of --target flags. */
      bodyFile?: string;
    }
  | { name: "bindingsDelete"; vaultName: string; keyName: string }
  | { name: "revoke"; keyRef: string; reason: string; shouldWait: boolean; requestId?: string }
  | { name: "restore"; id: string; reason: string; shouldWait: boolean; requestId?: string }
  | {
      name: "sweep";
      reason: string;
      vaultName?: string;
      isForced: boolean;
      isDryRun: boolean;
      shouldWait: boolean;
    }
  | ({ name: "changeKey" } & ChangeKeyArgs);

/** `change-key <from> <to> --reason … [--dry-run] [--strategy …] [--target id]… [--wait]`. */
export interface ChangeKeyArgs {
  fromKeyRef: string;
  toKeyRef: string;
  reason: string;
  isDryRun: boolean;
  shouldWait: boolean;
  strategy?: KeyChangeStrategyArg;
  /** Narrows the change to these consumers (ARM resource ids); empty = every consumer of the old key. */
  targets: string[];
}

export interface ParsedCommandLine {
  command: Command;
  options: GlobalOptions;
}

const optionSpec = {
  "base-url": { type: "string" },
  "function-key": { type: "string" },
  "revocation-secret": { type: "string" },
  json: { type: "boolean" },
  progress: { type: "boolean" },
  "no-progress": { type: "boolean" },
  timeout: { type: "string" },
  interval: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
  "dry-run": { type: "boolean" },
  wait: { type: "boolean" },
  reason: { type: "string" },
  "request-id": { type: "string" },
  top: { type: "string" },
  rotation: { type: "boolean" },
  revocation: { type: "boolean" },
  target: { type: "string", multiple: true },
  "rotate-every": { type: "string" },
  "expires-after": { type: "string" },
  "retire-after": { type: "string" },
  file: { type: "string" },
  register: { type: "boolean" },
  all: { type: "boolean" },
  vault: { type: "string" },
  force: { type: "boolean" },
  strategy: { type: "string" },
  "key-change": { type: "boolean" },
} as const;

type OptionName = keyof typeof optionSpec;

const GLOBAL_OPTIONS: readonly OptionName[] = [
  "base-url",
  "function-key",
  "revocation-secret",
  "json",
  "progress",
  "no-progress",
  "timeout",
  "interval",
  "help",
  "version",
];

/** Options each command accepts besides the global ones; anything else is a usage error. */
const COMMAND_OPTIONS: Record<string, readonly OptionName[]> = {
  rotate: ["dry-run", "wait", "reason"],
  status: ["wait", "rotation", "revocation", "key-change"],
  history: ["top"],
  discover: ["register", "all"],
  bindings: ["target", "rotate-every", "expires-after", "retire-after", "file"],
  revoke: ["reason", "wait", "request-id"],
  restore: ["reason", "wait", "request-id"],
  sweep: ["reason", "vault", "force", "dry-run", "wait"],
  "change-key": ["reason", "dry-run", "wait", "strategy", "target"],
  help: [],
};

const DEFAULT_TIMEOUT_SECONDS = 600;
const DEFAULT_POLL_INTERVAL_SECONDS = 1;

/** Parses argv (without node and script). Throws a usage CliError for anything it cannot understand. */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: optionSpec, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const options: GlobalOptions = {
    baseUrl: values["base-url"],
    functionKey: values["function-key"],
    revocationSecret: values["revocation-secret"],
    isJson: values.json === true,
    progress: values["no-progress"] ? "never" : values.progress ? "always" : "auto",
    timeoutSeconds: parsePositiveNumber("--timeout", values.timeout) ?? DEFAULT_TIMEOUT_SECONDS,
    pollIntervalSeconds: parsePositiveNumber("--interval", values.interval) ?? DEFAULT_POLL_INTERVAL_SECONDS,
  };
  const [verb, ...rest] = positionals;
  if (values.version) return { command: { name: "version" }, options };
  if (values.help || verb === undefined || verb === "help") {
    return { command: { name: "help", topic: verb === "help" ? rest[0] : verb }, options };
  }
  const allowed = COMMAND_OPTIONS[verb];
  if (!allowed) throw usageError(`unknown command "${verb}"`);
  for (const name of Object.keys(values) as OptionName[]) {
    if (!GLOBAL_OPTIONS.includes(name) && !allowed.includes(name)) {
      throw usageError(`option --${name} does not apply to "${verb}"`);
    }
  }
  return { command: buildCommand(verb, rest, values), options };
}

type Values = ReturnType<typeof parseArgs<{ options: typeof optionSpec; allowPositionals: true }>>["values"];

function buildCommand(verb: string, args: string[], values: Values): Command {
  switch (verb) {
    case "rotate":
      return {
        name: "rotate",
        keyRef: onePositional(verb, args, "<keyId>"),
        isDryRun: values["dry-run"] === true,
        shouldWait: values.wait === true,
        reason: values.reason,
      };
    case "status": {
      const kinds = (["rotation", "revocation", "key-change"] as const).filter((flag) => values[flag]);
      if (kinds.length > 1) throw usageError("use one of --rotation, --revocation or --key-change");
      return {
        name: "status",
        id: onePositional(verb, args, "<id>"),
        kind: kinds[0] === "key-change" ? "keyChange" : (kinds[0] ?? "any"),
        shouldWait: values.wait === true,
      };
    }
    case "history": {
      const key = parseVaultSlashKey(onePositional(verb, args, "<vault>/<key>"));
      const top = parsePositiveNumber("--top", values.top);
      if (top !== undefined && !Number.isInteger(top)) throw usageError("--top needs a whole number");
      return { name: "history", ...key, top };
    }
    case "discover": {
      const isAll = values.all === true;
      const shouldRegister = values.register === true;
      if (isAll) {
        if (args.length > 0) throw usageError(`"discover --all" takes no <vault>/<key>`);
        return { name: "discover", isAll, shouldRegister };
      }
      return {
        name: "discover",
        ...parseVaultSlashKey(onePositional(verb, args, "<vault>/<key> (or --all)")),
        isAll,
        shouldRegister,
      };
    }
    case "bindings":
      return buildBindingsCommand(args, values);
    case "revoke":
      return {
        name: "revoke",
        keyRef: onePositional(verb, args, "<keyId>"),
        reason: requireReason(verb, values.reason),
        shouldWait: values.wait === true,
        requestId: values["request-id"],
      };
    case "restore":
      return {
        name: "restore",
        id: onePositional(verb, args, "<revocationId>"),
        reason: requireReason(verb, values.reason),
        shouldWait: values.wait === true,
        requestId: values["request-id"],
      };
    case "sweep":
      if (args.length > 0) throw usageError(`"sweep" takes no positional arguments (use --vault <name>)`);
      return {
        name: "sweep",
        reason: requireReason(verb, values.reason),
        ...(values.vault === undefined ? {} : { vaultName: values.vault }),
        isForced: values.force === true,
        isDryRun: values["dry-run"] === true,
        shouldWait: values.wait === true,
      };
    case "change-key":
      return buildChangeKeyCommand(args, values);
    default:
      throw usageError(`unknown command "${verb}"`);
  }
}

function buildChangeKeyCommand(args: string[], values: Values): Command {
  if (args.length !== 2)
    throw usageError(`"change-key" needs <fromKeyId> <toKeyId>, got ${args.length} argument(s)`);
  const strategy = values.strategy;
  if (strategy !== undefined && strategy !== "documented" && strategy !== "direct")
    throw usageError(`--strategy is documented or direct, got "${strategy}"`);
  const targets = (values.target ?? []).map((target) => target.trim());
  const notAnId = targets.find((target) => !target.startsWith("/"));
  if (notAnId !== undefined)
    throw usageError(`--target "${notAnId}" is not a resource id (/subscriptions/…/<name>)`);
  return {
    name: "changeKey",
    fromKeyRef: args[0],
    toKeyRef: args[1],
    reason: requireReason("change-key", values.reason),
    isDryRun: values["dry-run"] === true,
    shouldWait: values.wait === true,
    ...(strategy === undefined ? {} : { strategy }),
    targets,
  };
}

function buildBindingsCommand(args: string[], values: Values): Command {
  const [action, ...rest] = args;
  const hasSetOptions =
    values.target !== undefined ||
    values.file !== undefined ||
    values["rotate-every"] !== undefined ||
    values["expires-after"] !== undefined ||
    values["retire-after"] !== undefined;
  if (action !== "set" && hasSetOptions)
    throw usageError(`--target, --file and policy options belong to "bindings set"`);
  switch (action) {
    case "list":
      if (rest.length > 0) throw usageError(`"bindings list" takes no arguments`);
      return { name: "bindingsList" };
    case "get":
      return {
        name: "bindingsGet",
        ...parseVaultSlashKey(onePositional("bindings get", rest, "<vault>/<key>")),
      };
    case "delete":
      return {
        name: "bindingsDelete",
        ...parseVaultSlashKey(onePositional("bindings delete", rest, "<vault>/<key>")),
      };
    case "set": {
      const key = parseVaultSlashKey(onePositional("bindings set", rest, "<vault>/<key>"));
      const targets = (values.target ?? []).map(parseTargetArg);
      if (values.file !== undefined && (targets.length > 0 || hasPolicy(values))) {
        throw usageError("--file holds the whole body: do not combine it with --target or policy options");
      }
      if (values.file === undefined && targets.length === 0) {
        throw usageError(`"bindings set" needs at least one --target <kind>:<mode>:<resourceId>, or --file`);
      }
      return {
        name: "bindingsSet",
        ...key,
        targets,
        policy: {
          rotateEvery: values["rotate-every"],
          expiresAfter: values["expires-after"],
          retireAfter: values["retire-after"],
        },
        bodyFile: values.file,
      };
    }
    case undefined:
      throw usageError(`"bindings" needs an action: list, get, set or delete`);
    default:
      throw usageError(`unknown bindings action "${action}" (use list, get, set or delete)`);
  }
}

function hasPolicy(values: Values): boolean {
  return (
    values["rotate-every"] !== undefined ||
    values["expires-after"] !== undefined ||
    values["retire-after"] !== undefined
  );
}

/** `<kind>:<mode>:<resourceId>`; the resource id comes last so it may hold any character. */
export function parseTargetArg(text: string): BindingTargetArg {
  const match = /^([A-Za-z]+):([A-Za-z]+):(\/.+)$/.exec(text.trim());
  if (!match) {
    throw usageError(
      `--target "${text}" is not <kind>:<mode>:<resourceId>, e.g. storageAccount:pinned:/subscriptions/…/storageAccounts/name`,
    );
  }
  return { kind: match[1], mode: match[2], resourceId: match[3] };
}

/** `<vault>/<key>` as used by history and bindings. */
export function parseVaultSlashKey(text: string): { vaultName: string; keyName: string } {
  const match = /^([A-Za-z0-9-]+)\/([A-Za-z0-9-]+)$/.exec(text.trim());
  if (!match) throw usageError(`"${text}" is not <vaultName>/<keyName>`);
  return { vaultName: match[1], keyName: match[2] };
}

function onePositional(verb: string, args: string[], what: string): string {
  if (args.length === 0) throw usageError(`"${verb}" needs ${what}`);
  if (args.length > 1) throw usageError(`"${verb}" takes one ${what}, got ${args.length} arguments`);
  return args[0];
}

function requireReason(verb: string, reason: string | undefined): string {
  if (reason === undefined || reason.trim() === "") throw usageError(`"${verb}" needs --reason "<why>"`);
  return reason;
}

function parsePositiveNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw usageError(`${flag} needs a positive number, got "${text}"`);
  return value;
}
