// Reads a Resource Graph query body (`{subscriptions?, managementGroups?, query, options?, facets?}`) or answers 400.
import { ArmError, isRecord, requireObjectBody } from "../http/armHttp";
import { unsupportedQuery } from "./kql/unsupportedQuery";

export const MAX_TOP = 1000;
const DEFAULT_TOP = 100;

export interface QueryRequest {
  query: string;
  subscriptions?: string[];
  managementGroups?: string[];
  top: number;
  skip: number;
  skipToken?: string;
}

export function parseQueryRequest(body: unknown): QueryRequest {
  const source = requireObjectBody(body, "a Resource Graph query request");
  const { query, options, facets } = source;
  if (typeof query !== "string" || query.trim() === "")
    throw badRequest("'query' is required and must be a non-empty string.");
  if (facets !== undefined && facets !== null && !(Array.isArray(facets) && facets.length === 0))
    throw unsupportedQuery("facets");
  const request: QueryRequest = {
    query,
    subscriptions: stringList(source.subscriptions, "subscriptions"),
    managementGroups: stringList(source.managementGroups, "managementGroups"),
    top: DEFAULT_TOP,
    skip: 0,
  };
  if (options === undefined || options === null) return request;
  if (!isRecord(options)) throw badRequest("'options' must be an object.");
  const { $top, $skip, $skipToken, resultFormat } = options;
  if ($top !== undefined && $top !== null) {
    if (typeof $top !== "number" || !Number.isInteger($top) || $top < 1 || $top > MAX_TOP)
      throw badRequest(`'options.$top' must be an integer 1..${MAX_TOP}, got ${JSON.stringify($top)}.`);
    request.top = $top;
  }
  if ($skip !== undefined && $skip !== null) {
    if (typeof $skip !== "number" || !Number.isInteger($skip) || $skip < 0)
      throw badRequest("'options.$skip' must be a non-negative integer.");
    request.skip = $skip;
  }
  if ($skipToken !== undefined && $skipToken !== null) {
    if (typeof $skipToken !== "string") throw badRequest("'options.$skipToken' must be a string.");
    request.skipToken = $skipToken;
  }
  if (resultFormat !== undefined && resultFormat !== null) {
    const format = typeof resultFormat === "string" ? resultFormat : JSON.stringify(resultFormat);
    if (format.toLowerCase() !== "objectarray")
      throw unsupportedQuery(`resultFormat '${format}' (only 'objectArray')`);
  }
  return request;
}

function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string"))
    throw badRequest(`'${name}' must be an array of strings.`);
  return value;
}

export function badRequest(message: string): ArmError {
  return new ArmError(400, "BadRequest", message);
}
