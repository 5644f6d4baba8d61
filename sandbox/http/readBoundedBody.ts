// Reads a node:http request body up to a size limit, for emulators that answer oversize bodies in their own service's words.
import type { IncomingMessage } from "node:http";

/**
 * The whole body as bytes; throws `tooLarge()` as soon as more than `maxBytes` arrived, so an
 * oversize body is never buffered in full.
 */
export async function readBoundedBody(
  request: IncomingMessage,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
