// Cuts query results into pages: $top/$skip/$skipToken, totalRecords, count and resultTruncated.
import { createHash } from "node:crypto";
import type { Row } from "./kql/evaluateQuery";
import { badRequest } from "./queryRequest";

export interface QueryPage {
  totalRecords: number;
  count: number;
  resultTruncated: "true" | "false";
  $skipToken?: string;
  data: Row[];
  facets: [];
}

interface SkipToken {
  /** Which query and scope the token continues. */
  scope: string;
  offset: number;
}

/** Ties a token to the query text and the subscriptions it ran over. */
export function pagingScope(query: string, subscriptionIds: string[]): string {
  return createHash("sha256")
    .update(JSON.stringify([query, [...subscriptionIds].sort()]))
    .digest("hex")
    .slice(0, 32);
}

export function page(
  rows: Row[],
  request: { top: number; skip: number; skipToken?: string },
  scope: string,
): QueryPage {
  const offset = request.skipToken ? readSkipToken(request.skipToken, scope) : request.skip;
  const data = rows.slice(offset, offset + request.top);
  const hasMore = offset + data.length < rows.length;
  // Resource Graph pages by id: without an id column it returns the first page, truncated, and no token.
  const canPage = data.every((row) => typeof row.id === "string");
  const result: QueryPage = {
    totalRecords: rows.length,
    count: data.length,
    resultTruncated: hasMore && !canPage ? "true" : "false",
    data,
    facets: [],
  };
  if (hasMore && canPage) result.$skipToken = writeSkipToken({ scope, offset: offset + data.length });
  return result;
}

function writeSkipToken(token: SkipToken): string {
  return Buffer.from(JSON.stringify(token), "utf8").toString("base64url");
}

function readSkipToken(text: string, scope: string): number {
  let token: unknown;
  try {
    token = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw badRequest("'options.$skipToken' is not a token this service issued.");
  }
  const { scope: tokenScope, offset } = (token ?? {}) as Partial<SkipToken>;
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0)
    throw badRequest("'options.$skipToken' is not a token this service issued.");
  if (tokenScope !== scope)
    throw badRequest(
      "'options.$skipToken' belongs to another query or scope: send the same query and subscriptions.",
    );
  return offset;
}
