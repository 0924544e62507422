#!/usr/bin/env bash
# Configures the function app: its app settings (appsettings.json, next to this
# script) and its scale knobs. Written by polyfn; safe to run again.
#
# Parameters (environment variables):
#   FUNCTION_APP    the function app's name
#   RESOURCE_GROUP  its resource group
#   PLAN            flex (Flex Consumption, the default), premium (Elastic Premium),
#                   consumption or dedicated (App Service)
#   KEY_VAULT_NAME  the Key Vault that holds the secrets
#   SERVICEBUS_NAMESPACE the Service Bus namespace resources.bicep creates for the topics and queues
#   STORAGE_ACCOUNT the existing storage account for the containers and storage queues: the app's own (AzureWebJobsStorage) when its triggers read them
#   COSMOS_ACCOUNT  the Cosmos DB for MongoDB account resources.bicep creates for the tables
#
# Secrets, read through Key Vault references: store each in the vault before
# the app starts (the app settings never hold their values):
#   az keyvault secret set --vault-name "$KEY_VAULT_NAME" --name MONGO-SERVER-URL --value ...
#     (MONGO_SERVER_URL: the Cosmos DB connection string, which resources.bicep stores in the vault)
#   az keyvault secret set --vault-name "$KEY_VAULT_NAME" --name ServiceBusConnection --value ...
#     (ServiceBusConnection: named by a trigger or output binding)
set -euo pipefail
: "${FUNCTION_APP:?set FUNCTION_APP to the function app's name}"
: "${RESOURCE_GROUP:?set RESOURCE_GROUP to the function app's resource group}"
: "${KEY_VAULT_NAME:?set KEY_VAULT_NAME: the Key Vault that holds the secrets}"
: "${SERVICEBUS_NAMESPACE:?set SERVICEBUS_NAMESPACE: the Service Bus namespace resources.bicep creates for the topics and queues}"
: "${STORAGE_ACCOUNT:?set STORAGE_ACCOUNT: the existing storage account for the containers and storage queues: the apps own (AzureWebJobsStorage) when its triggers read them}"
: "${COSMOS_ACCOUNT:?set COSMOS_ACCOUNT: the Cosmos DB for MongoDB account resources.bicep creates for the tables}"
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

# The resources the functions use, and the grants of the app's identity on
# them (resources.bicep, next to this script).
az deployment group create --resource-group "$RESOURCE_GROUP" --name polyfn-resources \
  --template-file "$here/resources.bicep" --parameters principalId="$principal" serviceBusNamespace="$SERVICEBUS_NAMESPACE" storageAccount="$STORAGE_ACCOUNT" cosmosAccount="$COSMOS_ACCOUNT" keyVaultName="$KEY_VAULT_NAME" --output none

# The app settings, with the parameters in place of their placeholders.
json() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '%s' "$s"; }
settings=$(<"$here/appsettings.json")
settings=${settings//'${KEY_VAULT_NAME}'/"$(json "$KEY_VAULT_NAME")"}
settings=${settings//'${SERVICEBUS_NAMESPACE}'/"$(json "$SERVICEBUS_NAMESPACE")"}
settings=${settings//'${STORAGE_ACCOUNT}'/"$(json "$STORAGE_ACCOUNT")"}
settings=${settings//'${COSMOS_ACCOUNT}'/"$(json "$COSMOS_ACCOUNT")"}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
printf '%s\n' "$settings" >"$tmp"
az functionapp config appsettings set "${app[@]}" --settings "@$tmp" --output none

# No function declares memory, instances or a rollout: the plan's defaults apply.
