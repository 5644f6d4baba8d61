import { describe, expect, it } from "vitest";
import { comparePrecedence, RouteTemplate } from "../../../sandbox/host/http/routeTemplate";

const match = (template: string, path: string) =>
  new RouteTemplate(template).match(path.split("/").filter(Boolean));

describe("route templates", () => {
  it.each([
    ["rotations", "rotations", {}],
    ["rotations/{id}", "Rotations/abc", { id: "abc" }],
    ["keys/{vault}/{key}/history", "keys/kv1/cmk-1/history", { vault: "kv1", key: "cmk-1" }],
    ["bindings/{vault?}", "bindings", {}],
    ["bindings/{vault?}", "bindings/kv1", { vault: "kv1" }],
    ["page/{n:int=1}", "page", { n: "1" }],
    ["files/{*path}", "files/a/b/c", { path: "a/b/c" }],
    [
      "items/{id:guid}",
      "items/3f2504e0-4f89-11d3-9a0c-0305e82c3301",
      { id: "3f2504e0-4f89-11d3-9a0c-0305e82c3301" },
    ],
    ["n/{v:range(1,5)}", "n/5", { v: "5" }],
    ["r/{v:regex(^a+$)}", "r/aaa", { v: "aaa" }],
  ])("%s matches %s", (template, path, values) => {
    expect(match(template, path)).toEqual(values);
  });

  it.each([
    ["rotations/{id}", "rotations"],
    ["rotations/{id}", "rotations/a/b"],
    ["n/{v:int}", "n/x"],
    ["n/{v:range(1,5)}", "n/6"],
    ["n/{v:alpha}", "n/abc1"],
    ["keys/{vault}/history", "keys/kv1/other"],
  ])("%s does not match %s", (template, path) => {
    expect(match(template, path)).toBeUndefined();
  });

  it("ranks literals before parameters before catch-alls", () => {
    const literal = new RouteTemplate("hello/world");
    const parameter = new RouteTemplate("hello/{name}");
    const catchAll = new RouteTemplate("hello/{*rest}");
    expect([catchAll, parameter, literal].sort(comparePrecedence)).toEqual([literal, parameter, catchAll]);
  });

  it("rejects templates it cannot evaluate", () => {
    expect(() => new RouteTemplate("a/{b}.{c}")).toThrow(/complex segment/);
    expect(() => new RouteTemplate("a/{b c}")).toThrow(/invalid parameter/);
  });
});
