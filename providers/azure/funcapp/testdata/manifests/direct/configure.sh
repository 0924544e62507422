#!/usr/bin/env bash
# Configures the function app: its app settings (appsettings.json, next to this
# script) and its scale knobs. Written by polyfn; safe to run again.
#
# Parameters (environment variables):
#   FUNCTION_APP    the function app's name
#   RESOURCE_GROUP  its resource group
#   PLAN            flex (Flex Consumption, the default), premium (Elastic Premium),
#                   consumption or dedicated (App Service)
set -euo pipefail
: "${FUNCTION_APP:?set FUNCTION_APP to the function app's name}"
: "${RESOURCE_GROUP:?set RESOURCE_GROUP to the function app's resource group}"
PLAN=${PLAN:-flex}
case "$PLAN" in flex | premium | consumption | dedicated) ;; *)
  echo "PLAN=$PLAN is not flex, premium, consumption or dedicated" >&2
  exit 2 ;;
esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
app=(--name "$FUNCTION_APP" --resource-group "$RESOURCE_GROUP")

# The app settings, with the parameters in place of their placeholders.
json() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '%s' "$s"; }
settings=$(<"$here/appsettings.json")
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
printf '%s\n' "$settings" >"$tmp"
az functionapp config appsettings set "${app[@]}" --settings "@$tmp" --output none

# No function declares memory, instances or a rollout: the plan's defaults apply.
