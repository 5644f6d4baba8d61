// Reads a ZIP archive (stored or deflated entries) through its central directory: what a deployment unpacks.
import { inflateRawSync } from "node:zlib";
import type { ZipEntry } from "./zipArchive";

const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const STORED = 0;
const DEFLATE = 8;

function endOfCentralDirectoryOffset(archive: Buffer): number {
  // The record is 22 bytes plus a comment of at most 64 KiB, at the very end.
  for (let offset = archive.length - 22; offset >= Math.max(0, archive.length - 22 - 0xffff); offset--) {
    if (archive.readUInt32LE(offset) === END_OF_CENTRAL_DIRECTORY) return offset;
  }
  throw new Error("not a ZIP archive: no end of central directory record");
}

/** Every file entry with its bytes and Unix mode (directories are skipped). */
export function readZip(archive: Buffer): ZipEntry[] {
  const end = endOfCentralDirectoryOffset(archive);
  const count = archive.readUInt16LE(end + 10);
  let cursor = archive.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let index = 0; index < count; index++) {
    if (archive.readUInt32LE(cursor) !== CENTRAL_DIRECTORY_HEADER)
      throw new Error(`bad central directory entry ${index}`);
    const method = archive.readUInt16LE(cursor + 10);
    const compressedSize = archive.readUInt32LE(cursor + 20);
    const nameLength = archive.readUInt16LE(cursor + 28);
    const extraLength = archive.readUInt16LE(cursor + 30);
    const commentLength = archive.readUInt16LE(cursor + 32);
    const mode = (archive.readUInt32LE(cursor + 38) >>> 16) & 0o7777;
    const localOffset = archive.readUInt32LE(cursor + 42);
    const path = archive.toString("utf8", cursor + 46, cursor + 46 + nameLength);
    cursor += 46 + nameLength + extraLength + commentLength;
    if (path.endsWith("/")) continue;
    const dataStart =
      localOffset + 30 + archive.readUInt16LE(localOffset + 26) + archive.readUInt16LE(localOffset + 28);
    const stored = archive.subarray(dataStart, dataStart + compressedSize);
    if (method !== STORED && method !== DEFLATE)
      throw new Error(`${path}: compression method ${method} is not supported`);
    entries.push({
      path,
      data: method === DEFLATE ? inflateRawSync(stored) : Buffer.from(stored),
      mode: mode || 0o644,
    });
  }
  return entries;
}
