// `bindings list|get|set|delete`: which resources use which key, and the key's rotation policy.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CliError } from "../CliError";
import { ExitCode, type ExitCodeValue } from "../exitCodes";
import { renderBinding, renderBindingList } from "../render";
import type { BindingPolicyArg, BindingTargetArg } from "../commandLine";
import { emit, type CommandContext } from "./CommandContext";

interface KeyArgs {
  vaultName: string;
  keyName: string;
}

function bindingPath({ vaultName, keyName }: KeyArgs): string {
  return `/api/bindings/${encodeURIComponent(vaultName)}/${encodeURIComponent(keyName)}`;
}

export async function listBindings(context: CommandContext): Promise<ExitCodeValue> {
  const response = await context.api.get("/api/bindings");
  return emit(context, response.body, renderBindingList, ExitCode.Ok);
}

export async function getBinding(context: CommandContext, args: KeyArgs): Promise<ExitCodeValue> {
  const response = await context.api.get(bindingPath(args));
  return emit(context, response.body, renderBinding, ExitCode.Ok);
}

export async function deleteBinding(context: CommandContext, args: KeyArgs): Promise<ExitCodeValue> {
  const response = await context.api.delete(bindingPath(args));
  return emit(
    context,
    response.body ?? { deleted: `${args.vaultName}/${args.keyName}` },
    () => `bindings of ${args.vaultName}/${args.keyName} deleted`,
    ExitCode.Ok,
  );
}

export interface SetBindingArgs extends KeyArgs {
  targets: BindingTargetArg[];
  policy: BindingPolicyArg;
  bodyFile?: string;
}

export async function setBinding(context: CommandContext, args: SetBindingArgs): Promise<ExitCodeValue> {
  const body =
    args.bodyFile !== undefined ? readBodyFile(args.bodyFile, context.io.cwd) : bodyFromFlags(args);
  const response = await context.api.put(bindingPath(args), body);
  return emit(
    context,
    response.body ?? body,
    (saved) => renderBinding({ ...args, ...(saved as object) }),
    ExitCode.Ok,
  );
}

/** The PUT body from --target and policy flags; the server validates kinds, modes and durations. */
export function bodyFromFlags(args: SetBindingArgs): Record<string, unknown> {
  const policy = Object.fromEntries(Object.entries(args.policy).filter(([, value]) => value !== undefined));
  const body: Record<string, unknown> = {
    targets: args.targets.map(({ kind, resourceId, mode }) => ({ kind, resourceId, mode })),
  };
  if (Object.keys(policy).length > 0) body.policy = policy;
  return body;
}

function readBodyFile(file: string, cwd: string): unknown {
  let raw: string;
  try {
    raw = readFileSync(file === "-" ? 0 : resolve(cwd, file), "utf8");
  } catch (error) {
    throw new CliError(
      `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
      ExitCode.Usage,
      "BadFile",
    );
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    throw new CliError(
      `${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      ExitCode.Usage,
      "BadFile",
    );
  }
}
