// The parsed form of a query in the emulator's KQL subset.

/** A scalar expression: a column/property path, a string literal, or tostring()/tolower() of one. */
export type ValueExpr =
  | { kind: "path"; segments: string[] }
  | { kind: "literal"; value: string }
  | { kind: "call"; name: "tostring" | "tolower"; argument: ValueExpr };

export type ComparisonOperator = "=~" | "==" | "!=" | "contains";

export type Predicate =
  | { kind: "compare"; operator: ComparisonOperator; left: ValueExpr; right: ValueExpr }
  | { kind: "and" | "or"; left: Predicate; right: Predicate };

export interface NamedValue {
  name: string;
  value: ValueExpr;
}

export interface OrderKey {
  value: ValueExpr;
  isDescending: boolean;
}

export type Operator =
  | { kind: "where"; predicate: Predicate }
  | { kind: "extend"; columns: NamedValue[] }
  | { kind: "project"; columns: NamedValue[] }
  | { kind: "order"; keys: OrderKey[] };

/** `resources | op | op …` */
export interface Query {
  operators: Operator[];
}
