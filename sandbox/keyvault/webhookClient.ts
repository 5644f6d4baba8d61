// Outbound http(s) calls to webhook endpoints; https trusts the sandbox test CA as well as the public roots.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { rootCertificates } from "node:tls";
import { testTls } from "../tls";

export interface WebhookResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WebhookRequest {
  method: "POST" | "OPTIONS";
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Aborts the call when the emulator stops. */
  signal?: AbortSignal;
}

let trustedCas: string[] | undefined;

/** Sends one request; rejects on connection errors and timeouts (the caller decides whether to retry). */
export function callWebhook(url: string, call: WebhookRequest): Promise<WebhookResponse> {
  const target = new URL(url);
  const isHttps = target.protocol === "https:";
  trustedCas ??= [...rootCertificates, testTls().caPem];
  const send = isHttps ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(
      target,
      {
        method: call.method,
        headers: {
          ...call.headers,
          ...(call.body !== undefined ? { "Content-Length": String(Buffer.byteLength(call.body)) } : {}),
        },
        timeout: call.timeoutMs,
        signal: call.signal,
        ...(isHttps ? { ca: trustedCas } : {}),
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        incoming.on("error", reject);
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer within ${call.timeoutMs} ms`)));
    outgoing.on("error", reject);
    outgoing.end(call.body);
  });
}
