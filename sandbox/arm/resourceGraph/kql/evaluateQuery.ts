// Runs a parsed query over rows with KQL's semantics for the subset (null comparisons false, stable ordering).
import { isRecord } from "../../http/armHttp";
import type { Operator, Predicate, Query, ValueExpr } from "./ast";

export type Row = Record<string, unknown>;

/** Applies every operator in turn; the input order is kept wherever an operator does not reorder. */
export function evaluateQuery(query: Query, rows: Row[]): Row[] {
  return query.operators.reduce((current, operator) => apply(operator, current), rows);
}

function apply(operator: Operator, rows: Row[]): Row[] {
  switch (operator.kind) {
    case "where":
      return rows.filter((row) => test(operator.predicate, row));
    case "extend":
      return rows.map((row) => {
        const extended = { ...row };
        for (const column of operator.columns) extended[column.name] = valueOf(column.value, extended);
        return extended;
      });
    case "project":
      return rows.map((row) =>
        Object.fromEntries(
          operator.columns.map((column) => [column.name, valueOf(column.value, row) ?? null]),
        ),
      );
    case "order":
      // Array.prototype.sort is stable: ties keep the id order the rows came in.
      return [...rows].sort((a, b) => {
        for (const key of operator.keys) {
          const order = compareForSort(valueOf(key.value, a), valueOf(key.value, b));
          if (order !== 0) return key.isDescending ? -order : order;
        }
        return 0;
      });
  }
}

function test(predicate: Predicate, row: Row): boolean {
  switch (predicate.kind) {
    case "and":
      return test(predicate.left, row) && test(predicate.right, row);
    case "or":
      return test(predicate.left, row) || test(predicate.right, row);
    case "compare": {
      const left = valueOf(predicate.left, row);
      const right = valueOf(predicate.right, row);
      // KQL: a comparison with null is null, and where drops the row.
      if (left === undefined || left === null || right === undefined || right === null) return false;
      const leftText = toText(left);
      const rightText = toText(right);
      switch (predicate.operator) {
        case "==":
          return leftText === rightText;
        case "!=":
          return leftText !== rightText;
        case "=~":
          return leftText.toLowerCase() === rightText.toLowerCase();
        case "contains":
          return leftText.toLowerCase().includes(rightText.toLowerCase());
      }
    }
  }
}

function valueOf(expression: ValueExpr, row: Row): unknown {
  switch (expression.kind) {
    case "literal":
      return expression.value;
    case "call": {
      const text = toText(valueOf(expression.argument, row));
      return expression.name === "tolower" ? text.toLowerCase() : text;
    }
    case "path": {
      let current: unknown = Object.hasOwn(row, expression.segments[0])
        ? row[expression.segments[0]]
        : undefined;
      for (const segment of expression.segments.slice(1)) {
        current = isRecord(current) && Object.hasOwn(current, segment) ? current[segment] : undefined;
      }
      return current;
    }
  }
}

/** KQL's tostring(): "" for null, JSON text for objects and arrays. */
function toText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** Nulls first (KQL's ascending default), numbers numerically, everything else by ordinal text. */
function compareForSort(a: unknown, b: unknown): number {
  const isNullA = a === undefined || a === null;
  const isNullB = b === undefined || b === null;
  if (isNullA || isNullB) return isNullA === isNullB ? 0 : isNullA ? -1 : 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  const textA = toText(a);
  const textB = toText(b);
  return textA < textB ? -1 : textA > textB ? 1 : 0;
}
