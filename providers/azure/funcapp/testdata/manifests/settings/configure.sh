#!/usr/bin/env bash
# Configures the function app: its app settings (appsettings.json, next to this
# script) and its scale knobs. Written by polyfn; safe to run again.
#
# Parameters (environment variables):
#   FUNCTION_APP    the function app's name
#   RESOURCE_GROUP  its resource group
#   PLAN            flex (Flex Consumption, the default), premium (Elastic Premium),
#                   consumption or dedicated (App Service)
#   TIME_ZONE       optional: the Windows zone ID for Europe/Paris on a Windows plan
#   KEY_VAULT_NAME  the Key Vault that holds the secrets
#   SHOP_REGION     where the shop sells, such as "eu"
#
# Secrets, read through Key Vault references: store each in the vault before
# the app starts (the app settings never hold their values):
#   az keyvault secret set --vault-name "$KEY_VAULT_NAME" --name SHOP-API-KEY --value ...
#     (SHOP_API_KEY: the key API callers send in X-Api-Key)
#   az keyvault secret set --vault-name "$KEY_VAULT_NAME" --name EventHubConnection --value ...
#     (EventHubConnection: named by a trigger or output binding)
#   az keyvault secret set --vault-name "$KEY_VAULT_NAME" --name KafkaBrokerList --value ...
#     (KafkaBrokerList: named by a trigger or output binding)
#   az keyvault secret set --vault-name "$KEY_VAULT_NAME" --name KafkaPassword --value ...
#     (KafkaPassword: named by a trigger or output binding)
#   az keyvault secret set --vault-name "$KEY_VAULT_NAME" --name KafkaUsername --value ...
#     (KafkaUsername: named by a trigger or output binding)
set -euo pipefail
: "${FUNCTION_APP:?set FUNCTION_APP to the function app's name}"
: "${RESOURCE_GROUP:?set RESOURCE_GROUP to the function app's resource group}"
: "${KEY_VAULT_NAME:?set KEY_VAULT_NAME: the Key Vault that holds the secrets}"
: "${SHOP_REGION:?set SHOP_REGION: where the shop sells, such as eu}"
PLAN=${PLAN:-flex}
case "$PLAN" in flex | premium | consumption | dedicated) ;; *)
  echo "PLAN=$PLAN is not flex, premium, consumption or dedicated" >&2
  exit 2 ;;
esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
app=(--name "$FUNCTION_APP" --resource-group "$RESOURCE_GROUP")

# Key Vault references resolve with the app's managed identity, which must
# read the vault's secrets (a vault using Azure RBAC; with access policies run
# az keyvault set-policy --name "$KEY_VAULT_NAME" --object-id "$principal" --secret-permissions get).
principal=$(az functionapp identity assign "${app[@]}" --query principalId --output tsv)
vault=$(az keyvault show --name "$KEY_VAULT_NAME" --query id --output tsv)
if [ -z "$(az role assignment list --assignee "$principal" --role "Key Vault Secrets User" --scope "$vault" --query '[0].id' --output tsv)" ]; then
  az role assignment create --assignee-object-id "$principal" --assignee-principal-type ServicePrincipal \
    --role "Key Vault Secrets User" --scope "$vault" --output none
fi

# The app settings, with the parameters in place of their placeholders.
json() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '%s' "$s"; }
settings=$(<"$here/appsettings.json")
settings=${settings//'${KEY_VAULT_NAME}'/"$(json "$KEY_VAULT_NAME")"}
settings=${settings//'${SHOP_REGION}'/"$(json "$SHOP_REGION")"}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
printf '%s\n' "$settings" >"$tmp"
az functionapp config appsettings set "${app[@]}" --settings "@$tmp" --output none

# The schedules run in Europe/Paris (WEBSITE_TIME_ZONE). Linux plans read an IANA
# name; Windows plans need a Windows zone ID: set TIME_ZONE to it. Linux
# Consumption and Flex Consumption do not support WEBSITE_TIME_ZONE and run
# schedules in UTC.
if [ -n "${TIME_ZONE:-}" ]; then
  az functionapp config appsettings set "${app[@]}" --settings "WEBSITE_TIME_ZONE=$TIME_ZONE" --output none
fi
case "$PLAN" in flex | consumption)
  echo "warning: on PLAN=$PLAN timer triggers run in UTC, not Europe/Paris" >&2 ;;
esac

# host.json's functionTimeout (00:20:00) is over the Consumption plan's 10 minutes.
if [ "$PLAN" = consumption ]; then
  echo "warning: PLAN=consumption stops functions after 10 minutes, not 00:20:00" >&2
fi

# Scale knobs, as the functions declare them. A function app has one memory
# size and one instance limit: the largest any function declares applies.
#   api: memory 256 MB, instances 1 to 50, canary 10% for 5m0s
#   inventory: memory 3000 MB, instances 2 to 4
case "$PLAN" in
flex)
  az functionapp scale config set "${app[@]}" --instance-memory 4096 --maximum-instance-count 50 --output none
  az functionapp scale config always-ready set "${app[@]}" --settings function:inventory=2 http=1 --output none
  ;;
premium)
  # Memory comes with the plan's SKU: 3000 MB fits EP1 (create the plan with --sku EP1).
  az resource update --resource-type Microsoft.Web/sites --resource-group "$RESOURCE_GROUP" --name "$FUNCTION_APP/config/web" --set properties.functionAppScaleLimit=50 properties.minimumElasticInstanceCount=2 --output none
  ;;
consumption)
  # 1.5 GB instances, none kept warm.
  az resource update --resource-type Microsoft.Web/sites --resource-group "$RESOURCE_GROUP" --name "$FUNCTION_APP/config/web" --set properties.functionAppScaleLimit=50 --output none
  ;;
dedicated)
  # Instances are the App Service plan's: az appservice plan update --number-of-workers N.
  ;;
esac

# Rollout: api: canary 10% for 5m0s.
# Azure Functions splits traffic per app, not per function, with deployment
# slots (Premium, Dedicated and Consumption plans; Flex Consumption has none):
#   az functionapp deployment slot create "${app[@]}" --slot staging
#   deploy the new version to the slot (add --slot staging to the deploy command)
#   az webapp traffic-routing set "${app[@]}" --distribution staging=10
#   watch its errors for the interval, then swap: az functionapp deployment slot swap "${app[@]}" --slot staging
#   or back out: az webapp traffic-routing clear "${app[@]}"
