// Parses the emulator's KQL subset (resources | where | extend | project | order by) into a Query.
import type { ComparisonOperator, NamedValue, Operator, OrderKey, Predicate, Query, ValueExpr } from "./ast";
import { type Token, tokenize } from "./lexer";
import { unsupportedQuery } from "./unsupportedQuery";

const COMPARISONS: readonly string[] = ["=~", "==", "!=", "contains"];
const FUNCTIONS: readonly string[] = ["tostring", "tolower"];

export function parseQuery(text: string): Query {
  return new Parser(tokenize(text)).query();
}

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  query(): Query {
    const source = this.next();
    if (source.kind !== "name" || source.text.toLowerCase() !== "resources") {
      throw unsupportedQuery(
        source.kind === "end" ? "an empty query" : `the table '${source.text}' (only 'resources')`,
      );
    }
    const operators: Operator[] = [];
    while (this.peek().kind !== "end") {
      this.expectSymbol("|");
      operators.push(this.operator());
    }
    return { operators };
  }

  private operator(): Operator {
    const token = this.next();
    const name = token.kind === "name" ? token.text.toLowerCase() : undefined;
    switch (name) {
      case "where":
        return { kind: "where", predicate: this.predicate() };
      case "extend":
        return { kind: "extend", columns: this.list(() => this.assignment(false)) };
      case "project":
        return { kind: "project", columns: this.list(() => this.assignment(true)) };
      case "order": {
        const by = this.next();
        if (by.kind !== "name" || by.text.toLowerCase() !== "by")
          throw this.unexpected(by, "'by' after 'order'");
        return { kind: "order", keys: this.list(() => this.orderKey()) };
      }
      default:
        throw unsupportedQuery(
          token.kind === "end"
            ? "a trailing '|'"
            : `the operator '${token.text}' (at offset ${token.offset})`,
        );
    }
  }

  private list<T>(item: () => T): T[] {
    const items = [item()];
    while (this.isSymbol(",")) {
      this.position++;
      items.push(item());
    }
    return items;
  }

  /** `name = value`, or (in project) a bare path whose column name joins its segments with '_'. */
  private assignment(isBarePathAllowed: boolean): NamedValue {
    const start = this.peek();
    const after = this.tokens[this.position + 1];
    if (start.kind === "name" && after?.kind === "symbol" && after.text === "=") {
      this.position += 2;
      return { name: start.text, value: this.value() };
    }
    if (!isBarePathAllowed) throw this.unexpected(start, "'name = value' in extend");
    const value = this.value();
    if (value.kind !== "path") throw this.unexpected(start, "a column or 'name = value' in project");
    return { name: value.segments.join("_"), value };
  }

  private orderKey(): OrderKey {
    const value = this.value();
    const direction = this.peek();
    if (direction.kind === "name" && ["asc", "desc"].includes(direction.text.toLowerCase())) {
      this.position++;
      return { value, isDescending: direction.text.toLowerCase() === "desc" };
    }
    if (direction.kind === "name" && direction.text.toLowerCase() === "nulls") {
      throw unsupportedQuery(`'nulls first/last' (at offset ${direction.offset})`);
    }
    // KQL sorts descending unless told otherwise.
    return { value, isDescending: true };
  }

  private predicate(): Predicate {
    let left = this.conjunction();
    while (this.isName("or")) {
      this.position++;
      left = { kind: "or", left, right: this.conjunction() };
    }
    return left;
  }

  private conjunction(): Predicate {
    let left = this.comparison();
    while (this.isName("and")) {
      this.position++;
      left = { kind: "and", left, right: this.comparison() };
    }
    return left;
  }

  private comparison(): Predicate {
    if (this.isSymbol("(")) {
      this.position++;
      const inner = this.predicate();
      this.expectSymbol(")");
      return inner;
    }
    const left = this.value();
    const operator = this.next();
    const operatorText = operator.kind === "name" ? operator.text.toLowerCase() : operator.text;
    if ((operator.kind !== "symbol" && operator.kind !== "name") || !COMPARISONS.includes(operatorText)) {
      throw unsupportedQuery(
        operator.kind === "end"
          ? "a where clause without a comparison"
          : `the comparison operator '${operator.text}' (at offset ${operator.offset})`,
      );
    }
    return { kind: "compare", operator: operatorText as ComparisonOperator, left, right: this.value() };
  }

  private value(): ValueExpr {
    const token = this.next();
    if (token.kind === "string") return { kind: "literal", value: token.text };
    if (token.kind === "number")
      throw unsupportedQuery(`number literals ('${token.text}' at offset ${token.offset})`);
    if (token.kind !== "name") throw this.unexpected(token, "a column, property path or string literal");
    if (this.isSymbol("(")) {
      const name = token.text.toLowerCase();
      if (!FUNCTIONS.includes(name))
        throw unsupportedQuery(`the function '${token.text}()' (at offset ${token.offset})`);
      this.position++;
      const argument = this.value();
      this.expectSymbol(")");
      return { kind: "call", name: name as "tostring" | "tolower", argument };
    }
    const segments = [token.text];
    while (this.isSymbol(".")) {
      this.position++;
      const segment = this.next();
      if (segment.kind !== "name") throw this.unexpected(segment, "a property name after '.'");
      segments.push(segment.text);
    }
    if (this.isSymbol("["))
      throw unsupportedQuery(`bracket property access (at offset ${this.peek().offset})`);
    return { kind: "path", segments };
  }

  private expectSymbol(symbol: string): void {
    const token = this.next();
    if (token.kind !== "symbol" || token.text !== symbol) throw this.unexpected(token, `'${symbol}'`);
  }

  private unexpected(token: Token, expected: string) {
    return unsupportedQuery(
      token.kind === "end"
        ? `a query that ends where ${expected} is expected`
        : `'${token.text}' at offset ${token.offset} (expected ${expected})`,
    );
  }

  private isSymbol(symbol: string): boolean {
    const token = this.peek();
    return token.kind === "symbol" && token.text === symbol;
  }

  private isName(name: string): boolean {
    const token = this.peek();
    return token.kind === "name" && token.text.toLowerCase() === name;
  }

  private peek(): Token {
    return this.tokens[this.position];
  }

  private next(): Token {
    const token = this.tokens[this.position];
    if (token.kind !== "end") this.position++;
    return token;
  }
}
