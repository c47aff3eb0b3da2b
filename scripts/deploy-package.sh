#!/bin/sh
# Deploys the broker to the Elastic Premium fallback: publishes src/TokenBroker.Functions,
# uploads the zip to the blob WEBSITE_RUN_FROM_PACKAGE names (with your Entra ID login; the
# deployment grants its deployer Storage Blob Data Contributor on the container), and restarts
# the app so it loads the new package. Reads the azd environment, or the same variables set by hand:
#   AZURE_RESOURCE_GROUP, AZURE_FUNCTION_APP_NAME, AZURE_STORAGE_ACCOUNT_NAME
set -eu
cd "$(dirname "$0")/.."

if command -v azd >/dev/null 2>&1; then
  eval "$(azd env get-values 2>/dev/null || true)"
fi
: "${AZURE_RESOURCE_GROUP:?set AZURE_RESOURCE_GROUP}"
: "${AZURE_FUNCTION_APP_NAME:?set AZURE_FUNCTION_APP_NAME}"
: "${AZURE_STORAGE_ACCOUNT_NAME:?set AZURE_STORAGE_ACCOUNT_NAME}"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# ReadyToRun code for linux-x64 comes with the project's own publish settings (PublishReadyToRun in the .csproj).
dotnet publish src/TokenBroker.Functions --configuration Release --output "$out/publish"
(cd "$out/publish" && zip -qr "$out/broker.zip" .)

az storage blob upload --auth-mode login --account-name "$AZURE_STORAGE_ACCOUNT_NAME" \
  --container-name app-package --name broker.zip --file "$out/broker.zip" --overwrite
az functionapp restart --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME"
