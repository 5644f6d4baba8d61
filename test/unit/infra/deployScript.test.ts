// infra/deploy.sh runs the deployment steps in order: checked with stand-ins for az and npm that record their calls.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../../sandbox/packageRoot";

const SITE_ID = "/subscriptions/sub-1/resourceGroups/rg-cmk/providers/Microsoft.Web/sites/cmk-func-abc";
const EVENTS_PARAMETERS = '{"functionAppName":{"value":"cmk-func-abc"},"nameSuffix":{"value":"abc"}}';

/**
 * A stand-in `az`: appends its arguments (one call per line) to $CALLS, copies the events parameters
 * file it is given, and answers the queries deploy.sh makes the way the real CLI would.
 */
const FAKE_AZ = `#!/usr/bin/env bash
printf 'az %s\\n' "$*" >> "$CALLS"
case "$*" in
  *"--template-file infra/events.bicep"*)
    for argument in "$@"; do [[ "$argument" == @* ]] && cp "\${argument#@}" "$WORK/events.parameters.json"; done ;;
  *"properties.outputs.functionAppName.value"*) echo "cmk-func-abc" ;;
  *"properties.outputs.functionAppId.value"*) echo "${SITE_ID}" ;;
  *"properties.outputs.functionAppUrl.value"*) echo "https://cmk-func-abc.azurewebsites.net" ;;
  *"properties.outputs.eventsParameters.value"*) echo '${EVENTS_PARAMETERS}' ;;
  *"functionapp keys list"*) echo "the-function-key" ;;
  *"rest --method get"*) echo "\${UNRESOLVED:-}" ;;
esac
exit 0
`;
const FAKE_NPM = `#!/usr/bin/env bash
printf 'npm %s\\n' "$*" >> "$CALLS"
`;

let work: string;

function runDeploy(extraEnv: Record<string, string> = {}): {
  status: number | null;
  calls: string[];
  stderr: string;
} {
  writeFileSync(join(work, "calls.log"), "");
  const result = spawnSync(
    "bash",
    [join(packageRoot(), "infra", "deploy.sh"), "rg-cmk", "infra/main.parameters.example.json"],
    {
      cwd: work,
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: `${join(work, "bin")}:${process.env.PATH ?? ""}`,
        CALLS: join(work, "calls.log"),
        WORK: work,
        CMK_DEPLOY_OUTPUT_DIR: join(work, "out"),
        CMK_DEPLOY_REFERENCE_ATTEMPTS: "2",
        CMK_DEPLOY_REFERENCE_WAIT_SECONDS: "0",
        ...extraEnv,
      },
    },
  );
  const calls = readFileSync(join(work, "calls.log"), "utf8").split("\n").filter(Boolean);
  return { status: result.status, calls, stderr: result.stderr };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "cmk-deploy-"));
  const bin = join(work, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "az"), FAKE_AZ);
  writeFileSync(join(bin, "npm"), FAKE_NPM);
  chmodSync(join(bin, "az"), 0o755);
  chmodSync(join(bin, "npm"), 0o755);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("infra/deploy.sh", () => {
  it("deploys infrastructure, package, code, vault events, then reads the key and checks Key Vault references", () => {
    const { status, calls, stderr } = runDeploy();
    expect(status, stderr).toBe(0);
    const step = (pattern: RegExp): number => {
      const index = calls.findIndex((call) => pattern.test(call));
      expect(index, `no call matches ${pattern}`).toBeGreaterThanOrEqual(0);
      return index;
    };
    const order = [
      step(
        /^az deployment group create --resource-group rg-cmk --name cmk-rotator-main --template-file infra\/main\.bicep --parameters @\S+main\.parameters\.example\.json/,
      ),
      step(
        /^az deployment group show --resource-group rg-cmk --name cmk-rotator-main --query properties\.outputs\.eventsParameters\.value --output json$/,
      ),
      step(/^npm run package --silent -- \S+\/out\/cmk-rotator\.zip$/),
      step(
        /^az functionapp deployment source config-zip --resource-group rg-cmk --name cmk-func-abc --src \S+\/out\/cmk-rotator\.zip/,
      ),
      step(
        /^az deployment group create --resource-group rg-cmk --name cmk-rotator-events --template-file infra\/events\.bicep --parameters @/,
      ),
      step(
        /^az functionapp keys list --resource-group rg-cmk --name cmk-func-abc --query functionKeys\.default --output tsv$/,
      ),
      step(
        /^az rest --method get --uri \/subscriptions\/sub-1\/resourceGroups\/rg-cmk\/providers\/Microsoft\.Web\/sites\/cmk-func-abc\/config\/configreferences\/appsettings\?api-version=2023-12-01/,
      ),
    ];
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(calls.filter((call) => call.startsWith("az deployment group create"))).toHaveLength(2);
  });

  it("hands events.bicep main.bicep's eventsParameters output as a parameters file", () => {
    runDeploy();
    const file = JSON.parse(readFileSync(join(work, "events.parameters.json"), "utf8")) as {
      contentVersion: string;
      parameters: unknown;
    };
    expect(file.contentVersion).toBe("1.0.0.0");
    expect(file.parameters).toEqual(JSON.parse(EVENTS_PARAMETERS));
  });

  it("writes the CLI's base URL and function key to a file only its owner can read", () => {
    runDeploy();
    const cliEnv = join(work, "out", "cli.env");
    expect(readFileSync(cliEnv, "utf8")).toBe(
      "export CMK_BASE_URL=https://cmk-func-abc.azurewebsites.net\nexport CMK_FUNCTION_KEY=the-function-key\n",
    );
    expect(statSync(cliEnv).mode & 0o777).toBe(0o600);
  });

  it("fails, naming them, while a Key Vault reference is not Resolved", () => {
    const { status, calls, stderr } = runDeploy({ UNRESOLVED: "CMK_REVOCATION_SECRET" });
    expect(status).toBe(1);
    expect(stderr).toContain("not Resolved: CMK_REVOCATION_SECRET");
    expect(calls.filter((call) => call.startsWith("az rest"))).toHaveLength(2);
  });
});
