// ASP.NET Core route templates as Azure Functions uses them for HTTP triggers: literals, {param}, {param?},
// {param=default}, {*catchAll} and the common inline constraints ({id:int}, {name:alpha}, {n:range(1,5)}, ...).

interface RouteParameter {
  name: string;
  isOptional: boolean;
  isCatchAll: boolean;
  defaultValue?: string;
  constraints: Array<{ name: string; argument?: string }>;
}

type RouteSegment = { kind: "literal"; text: string } | { kind: "parameter"; parameter: RouteParameter };

const KNOWN_CONSTRAINTS = new Set([
  "int",
  "long",
  "bool",
  "guid",
  "alpha",
  "double",
  "decimal",
  "float",
  "datetime",
  "minlength",
  "maxlength",
  "length",
  "min",
  "max",
  "range",
  "regex",
]);

const GUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function splitConstraints(body: string): string[] {
  // Constraint arguments may contain ':' (regex), so split only at top level, outside parentheses.
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of body) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === ":" && depth === 0) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function parseParameter(body: string, template: string): RouteParameter {
  const [head, ...constraintTexts] = splitConstraints(body);
  let name = head.trim();
  const isCatchAll = name.startsWith("*");
  if (isCatchAll) name = name.replace(/^\*+/, "");
  let defaultValue: string | undefined;
  let isOptional = false;
  const lastConstraint = constraintTexts.length ? constraintTexts[constraintTexts.length - 1] : undefined;
  // The `?` or `=default` marker sits after the last constraint when there are constraints.
  const markerHolder = lastConstraint ?? name;
  let stripped = markerHolder;
  const equalsAt = markerHolder.indexOf("=");
  if (equalsAt >= 0 && !/\(.*=.*\)/.test(markerHolder)) {
    defaultValue = markerHolder.slice(equalsAt + 1);
    stripped = markerHolder.slice(0, equalsAt);
  } else if (markerHolder.endsWith("?")) {
    isOptional = true;
    stripped = markerHolder.slice(0, -1);
  }
  if (lastConstraint !== undefined) constraintTexts[constraintTexts.length - 1] = stripped;
  else name = stripped;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new Error(`invalid parameter "{${body}}" in route "${template}"`);
  const constraints = constraintTexts.map((text) => {
    const match = /^([A-Za-z]+)(?:\((.*)\))?$/.exec(text.trim());
    // Unknown (custom) constraints cannot be evaluated here; Azure would refuse them at start-up too.
    if (!match || !KNOWN_CONSTRAINTS.has(match[1].toLowerCase())) {
      throw new Error(`unsupported constraint "${text}" in route "${template}"`);
    }
    return { name: match[1].toLowerCase(), argument: match[2] };
  });
  return { name, isOptional, isCatchAll, defaultValue, constraints };
}

function satisfies(constraint: { name: string; argument?: string }, value: string): boolean {
  const numberArgs = (constraint.argument ?? "").split(",").map((s) => Number(s.trim()));
  switch (constraint.name) {
    case "int":
    case "long":
      return /^-?\d+$/.test(value);
    case "bool":
      return /^(true|false)$/i.test(value);
    case "guid":
      return GUID.test(value);
    case "alpha":
      return /^[A-Za-z]+$/.test(value);
    case "double":
    case "decimal":
    case "float":
      return value.trim() !== "" && Number.isFinite(Number(value));
    case "datetime":
      return !Number.isNaN(Date.parse(value));
    case "minlength":
      return value.length >= numberArgs[0];
    case "maxlength":
      return value.length <= numberArgs[0];
    case "length":
      return numberArgs.length === 1
        ? value.length === numberArgs[0]
        : value.length >= numberArgs[0] && value.length <= numberArgs[1];
    case "min":
      return /^-?\d+$/.test(value) && Number(value) >= numberArgs[0];
    case "max":
      return /^-?\d+$/.test(value) && Number(value) <= numberArgs[0];
    case "range":
      return /^-?\d+$/.test(value) && Number(value) >= numberArgs[0] && Number(value) <= numberArgs[1];
    case "regex":
      return new RegExp(constraint.argument ?? "", "i").test(value);
    default:
      return false;
  }
}

/** A parsed route template that matches request paths and yields route values. */
export class RouteTemplate {
  private readonly segments: RouteSegment[];
  /** Lower sorts first: literal segments beat constrained parameters beat plain ones beat catch-alls. */
  readonly precedence: number[];

  constructor(readonly template: string) {
    const trimmed = template.replace(/^\/+|\/+$/g, "");
    this.segments = trimmed === "" ? [] : trimmed.split("/").map((part) => this.parseSegment(part));
    this.precedence = this.segments.map((segment) => {
      if (segment.kind === "literal") return 1;
      const p = segment.parameter;
      if (p.isCatchAll) return 5;
      if (p.isOptional || p.defaultValue !== undefined) return 4;
      return p.constraints.length ? 2 : 3;
    });
  }

  private parseSegment(part: string): RouteSegment {
    const whole = /^\{([^{}]+)\}$/.exec(part);
    if (whole) return { kind: "parameter", parameter: parseParameter(whole[1], this.template) };
    if (part.includes("{"))
      throw new Error(`complex segment "${part}" in route "${this.template}" is not supported`);
    return { kind: "literal", text: part };
  }

  /** Route values when `pathSegments` (already URL-decoded) match, otherwise undefined. */
  match(pathSegments: readonly string[]): Record<string, string> | undefined {
    const values: Record<string, string> = {};
    for (let i = 0; i < this.segments.length; i++) {
      const segment = this.segments[i];
      const value = pathSegments[i];
      if (segment.kind === "literal") {
        if (value === undefined || value.toLowerCase() !== segment.text.toLowerCase()) return undefined;
        continue;
      }
      const parameter = segment.parameter;
      if (parameter.isCatchAll) {
        const rest = pathSegments.slice(i).join("/");
        if (rest === "" && parameter.defaultValue !== undefined)
          values[parameter.name] = parameter.defaultValue;
        else if (rest !== "") values[parameter.name] = rest;
        if (rest !== "" && !parameter.constraints.every((c) => satisfies(c, rest))) return undefined;
        return values;
      }
      if (value === undefined || value === "") {
        if (parameter.defaultValue !== undefined) values[parameter.name] = parameter.defaultValue;
        else if (!parameter.isOptional) return undefined;
        continue;
      }
      if (!parameter.constraints.every((c) => satisfies(c, value))) return undefined;
      values[parameter.name] = value;
    }
    return pathSegments.length <= this.segments.length ? values : undefined;
  }
}

/** -1 when `a` should win over `b` (more specific template), 1 when `b` should, 0 when equal. */
export function comparePrecedence(a: RouteTemplate, b: RouteTemplate): number {
  const length = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < length; i++) {
    const pa = a.precedence[i] ?? 0;
    const pb = b.precedence[i] ?? 0;
    if (pa !== pb) return pa < pb ? -1 : 1;
  }
  return 0;
}
