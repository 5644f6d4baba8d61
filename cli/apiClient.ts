// Talks to the function app's HTTP API (docs/http-api.md): function-key auth, signed revocation calls, errors → exit codes.
import { randomUUID } from "node:crypto";
import { signBody, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../src/lib/signing";
import { CliError } from "./CliError";
import { ExitCode, exitCodeForHttpStatus } from "./exitCodes";
import type { Connection } from "./connection";

export interface ApiResponse {
  status: number;
  body: unknown;
}

interface RequestOptions {
  body?: unknown;
  /** Sign the body with the revocation secret (x-cmk-timestamp + x-cmk-signature) instead of relying on the function key. */
  isSigned?: boolean;
}

const REQUEST_TIMEOUT_MS = 30_000;

export class ApiClient {
  constructor(
    private readonly connection: Connection,
    /** Wall-clock seconds for signatures; injectable so tests can check the window. */
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  get(path: string): Promise<ApiResponse> {
    return this.send("GET", path, {});
  }

  put(path: string, body: unknown): Promise<ApiResponse> {
    return this.send("PUT", path, { body });
  }

  delete(path: string): Promise<ApiResponse> {
    return this.send("DELETE", path, {});
  }

  post(path: string, body: unknown): Promise<ApiResponse> {
    return this.send("POST", path, { body });
  }

  /** POST signed with the revocation secret; the body gets a fresh requestId unless it has one. */
  postSigned(path: string, body: Record<string, unknown>): Promise<ApiResponse> {
    return this.send("POST", path, {
      body: { ...body, requestId: body.requestId ?? randomUUID() },
      isSigned: true,
    });
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<ApiResponse> {
    const url = `${this.connection.baseUrl}${path}`;
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.connection.functionKey) headers["x-functions-key"] = this.connection.functionKey;
    const rawBody = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (rawBody !== undefined) headers["content-type"] = "application/json";
    if (options.isSigned) {
      const secret = this.connection.revocationSecret;
      if (!secret) {
        throw new CliError(
          "this command is signed with the revocation secret: pass --revocation-secret or set CMK_REVOCATION_SECRET",
          ExitCode.Auth,
          "NoRevocationSecret",
        );
      }
      const timestamp = String(this.nowSeconds());
      headers[TIMESTAMP_HEADER] = timestamp;
      headers[SIGNATURE_HEADER] = signBody(secret, timestamp, rawBody ?? "");
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: rawBody,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new CliError(
        `cannot reach the function app at ${this.connection.baseUrl} (${describeNetworkError(error)}); is it running? (settings from ${this.connection.source})`,
        ExitCode.Unreachable,
        "Unreachable",
      );
    }
    const body = await readBody(response);
    if (response.status >= 200 && response.status < 300) return { status: response.status, body };
    throw httpError(method, path, response.status, body);
  }
}

function httpError(method: string, path: string, status: number, body: unknown): CliError {
  const error = readErrorShape(body);
  const hint =
    status === 401 && !error ? " (check the function key: --function-key or CMK_FUNCTION_KEY)" : "";
  const message = error?.message ?? `${method} ${path} answered HTTP ${status}${hint}`;
  return new CliError(
    message,
    exitCodeForHttpStatus(status, error?.code),
    error?.code ?? `Http${status}`,
    body,
  );
}

/** The HTTP API's error envelope `{error:{code,message}}` (docs/http-api.md), if the body has that shape. */
export function readErrorShape(body: unknown): { code?: string; message: string } | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof message !== "string") return undefined;
  return { code: typeof code === "string" ? code : undefined, message };
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error) return (cause as { code?: string }).code ?? cause.message;
    return error.name === "TimeoutError" ? "timed out" : error.message;
  }
  return String(error);
}
