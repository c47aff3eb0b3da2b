#!/bin/sh
# azd predeploy hook of the broker service (azure.yaml). azd deploys a Functions project with
# zip deploy, which Flex Consumption takes. The Elastic Premium fallback runs from a package
# blob (WEBSITE_RUN_FROM_PACKAGE is a URL, because the storage account refuses the shared keys
# an Azure Files content share needs), and zip deploy does not apply to such an app: stop
# before it fails half-way and say what to run instead.
set -eu

case "${AZURE_HOSTING_PLAN:-FlexConsumption}" in
  ElasticPremium)
    echo "TokenBroker runs on Elastic Premium from a package blob; azd's zip deploy does not apply." >&2
    echo "Infrastructure is provisioned. Deploy the code with: ./scripts/deploy-package.sh" >&2
    echo "(see docs/deploy.md, \"Elastic Premium fallback\")." >&2
    exit 1
    ;;
  *)
    exit 0
    ;;
esac
