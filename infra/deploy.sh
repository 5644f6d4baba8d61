#!/usr/bin/env bash
# Deploys cmk-rotator end to end, in the only order that works: infrastructure, package, code (zip
# deployment, kept across later infrastructure deployments by WEBSITE_RUN_FROM_PACKAGE=1), the vaults'
# Event Grid subscriptions (Event Grid validates the endpoint, so the code comes first), the function
# key for the CLI, and a check that every Key Vault reference resolved.
#
# Usage: infra/deploy.sh <resource-group> [parameters file, default infra/main.parameters.json]
# Needs: az (signed in, with the rights infra/README.md lists), npm, Node 22.
# CMK_DEPLOY_OUTPUT_DIR: where the package and cli.env go (default dist).
# CMK_DEPLOY_REFERENCE_ATTEMPTS / CMK_DEPLOY_REFERENCE_WAIT_SECONDS: how long to wait for the Key Vault
# references to resolve (role assignments can take minutes; default 10 attempts, 30 s apart).
set -euo pipefail

resource_group="${1:?usage: infra/deploy.sh <resource-group> [parameters file]}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
parameters_file="$(cd "$root" && realpath "${2:-infra/main.parameters.json}")"
output_dir="${CMK_DEPLOY_OUTPUT_DIR:-$root/dist}"
reference_attempts="${CMK_DEPLOY_REFERENCE_ATTEMPTS:-10}"
reference_wait_seconds="${CMK_DEPLOY_REFERENCE_WAIT_SECONDS:-30}"
main_deployment="cmk-rotator-main"
events_deployment="cmk-rotator-events"
package_path="$output_dir/cmk-rotator.zip"
cli_env="$output_dir/cli.env"
cd "$root"
mkdir -p "$output_dir"

step() { printf '\n== %s\n' "$*" >&2; }

# One output of the infrastructure deployment (tsv for strings, json for objects).
main_output() {
  az deployment group show --resource-group "$resource_group" --name "$main_deployment" \
    --query "properties.outputs.$1.value" --output "${2:-tsv}"
}

step "1/6 infrastructure: infra/main.bicep"
az deployment group create --resource-group "$resource_group" --name "$main_deployment" \
  --template-file infra/main.bicep --parameters "@$parameters_file" --output none
function_app_name="$(main_output functionAppName)"
function_app_id="$(main_output functionAppId)"
function_app_url="$(main_output functionAppUrl)"
events_parameters="$(mktemp)"
trap 'rm -f "$events_parameters"' EXIT
printf '{"$schema":"https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#","contentVersion":"1.0.0.0","parameters":%s}\n' \
  "$(main_output eventsParameters json)" >"$events_parameters"

step "2/6 package: npm run package (dist/src, host.json, package.json, production dependencies)"
npm run package --silent -- "$package_path"

step "3/6 code: zip deployment to $function_app_name"
az functionapp deployment source config-zip --resource-group "$resource_group" --name "$function_app_name" \
  --src "$package_path" --output none

step "4/6 vault events: infra/events.bicep"
az deployment group create --resource-group "$resource_group" --name "$events_deployment" \
  --template-file infra/events.bicep --parameters "@$events_parameters" --output none

step "5/6 function key for the CLI: $cli_env"
function_key="$(az functionapp keys list --resource-group "$resource_group" --name "$function_app_name" \
  --query functionKeys.default --output tsv)"
(
  umask 077
  printf 'export CMK_BASE_URL=%q\nexport CMK_FUNCTION_KEY=%q\n' "$function_app_url" "$function_key" >"$cli_env"
)

step "6/6 Key Vault references: every one Resolved"
for ((attempt = 1; ; attempt++)); do
  unresolved="$(az rest --method get \
    --uri "$function_app_id/config/configreferences/appsettings?api-version=2023-12-01" \
    --query "value[?properties.status!='Resolved'].name" --output tsv)"
  [ -z "$unresolved" ] && break
  if ((attempt >= reference_attempts)); then
    printf 'Key Vault references not Resolved: %s\n' "$unresolved" >&2
    printf 'Check the secret URI and the identity'"'"'s Key Vault Secrets User role (infra/README.md).\n' >&2
    exit 1
  fi
  sleep "$reference_wait_seconds"
done

printf '\nDeployed %s. For the CLI: source %s\n' "$function_app_url" "$cli_env" >&2
