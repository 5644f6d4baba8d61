// `discover <vault>/<key> | --all [--register]`: every consumer of a key, registered or found, and registering the unregistered.
import { CliError } from "../CliError";
import { ExitCode, type ExitCodeValue } from "../exitCodes";
import { renderConsumerTable } from "../render";
import { emit, type CommandContext } from "./CommandContext";

interface KeyArgs {
  vaultName: string;
  keyName: string;
}

interface ConsumerRow {
  resourceId: string;
  kind: string;
  mode: string;
  versionInUse?: string;
  registration: string;
  detail: string;
}

interface BindingBody {
  targets?: Array<{ kind: string; resourceId: string; mode: string }>;
  policy?: Record<string, unknown>;
}

const keyPath = (key: KeyArgs) => `${encodeURIComponent(key.vaultName)}/${encodeURIComponent(key.keyName)}`;

async function consumersOf(context: CommandContext, key: KeyArgs): Promise<ConsumerRow[]> {
  const response = await context.api.get(`/api/keys/${keyPath(key)}/consumers`);
  return ((response.body as { value?: ConsumerRow[] } | undefined)?.value ?? []).filter(Boolean);
}

/** The key's binding, or none yet (404). */
async function bindingOf(context: CommandContext, key: KeyArgs): Promise<BindingBody | undefined> {
  try {
    return (await context.api.get(`/api/bindings/${keyPath(key)}`)).body as BindingBody;
  } catch (error) {
    if (error instanceof CliError && error.exitCode === ExitCode.NotFound) return undefined;
    throw error;
  }
}

/** Adds the Unregistered consumers to the binding in the mode they use; registered targets and the policy stay. */
async function register(
  context: CommandContext,
  key: KeyArgs,
  rows: readonly ConsumerRow[],
): Promise<ConsumerRow[]> {
  const unregistered = rows.filter((row) => row.registration === "Unregistered");
  if (unregistered.length === 0) return [];
  const binding = await bindingOf(context, key);
  const targets = [...(binding?.targets ?? [])];
  for (const row of unregistered)
    targets.push({ kind: row.kind, resourceId: row.resourceId, mode: row.mode });
  await context.api.put(`/api/bindings/${keyPath(key)}`, {
    targets,
    ...(binding?.policy && Object.keys(binding.policy).length > 0 ? { policy: binding.policy } : {}),
  });
  return unregistered;
}

function renderConsumers(
  key: KeyArgs,
  rows: readonly ConsumerRow[],
  registered: readonly ConsumerRow[],
): string {
  const table =
    rows.length === 0 ? `no consumers of ${key.vaultName}/${key.keyName} found` : renderConsumerTable(rows);
  const added = registered.map((row) => `registered ${row.kind} ${row.mode} ${row.resourceId}`);
  return [table, ...added].join("\n");
}

/** The keys of every allow-listed vault (GET /api/keys). */
async function allKeys(context: CommandContext): Promise<KeyArgs[]> {
  const response = await context.api.get("/api/keys");
  return (response.body as { value?: KeyArgs[] } | undefined)?.value ?? [];
}

export async function discover(
  context: CommandContext,
  args: { vaultName?: string; keyName?: string; isAll: boolean; shouldRegister: boolean },
): Promise<ExitCodeValue> {
  const keys = args.isAll
    ? await allKeys(context)
    : [{ vaultName: args.vaultName ?? "", keyName: args.keyName ?? "" }];
  const showsProgress =
    args.isAll &&
    (context.options.progress === "always" ||
      (context.options.progress === "auto" && context.io.stderr.isTTY === true));
  const results: Array<{ key: string; consumers: ConsumerRow[]; registered: ConsumerRow[] }> = [];
  for (const [index, key] of keys.entries()) {
    if (showsProgress)
      context.io.stderr.write(`discover: ${index + 1}/${keys.length} ${key.vaultName}/${key.keyName}\n`);
    const rows = await consumersOf(context, key);
    const registered = args.shouldRegister ? await register(context, key, rows) : [];
    results.push({ key: `${key.vaultName}/${key.keyName}`, consumers: rows, registered });
  }
  const body = args.isAll
    ? { value: results }
    : { value: results[0].consumers, registered: results[0].registered };
  return emit(
    context,
    body,
    () =>
      results
        .map((result, index) => {
          const key = keys[index];
          const text = renderConsumers(key, result.consumers, result.registered);
          return args.isAll ? `${result.key}\n${text}` : text;
        })
        .join("\n\n"),
    ExitCode.Ok,
  );
}
