// `history <vault>/<key> [--top N]`: the key's rotation and revocation records, newest first.
import { ExitCode, type ExitCodeValue } from "../exitCodes";
import { renderHistory } from "../render";
import { emit, type CommandContext } from "./CommandContext";

export async function history(
  context: CommandContext,
  args: { vaultName: string; keyName: string; top?: number },
): Promise<ExitCodeValue> {
  const query = args.top !== undefined ? `?top=${args.top}` : "";
  const path = `/api/keys/${encodeURIComponent(args.vaultName)}/${encodeURIComponent(args.keyName)}/history${query}`;
  const response = await context.api.get(path);
  return emit(context, response.body, renderHistory, ExitCode.Ok);
}
