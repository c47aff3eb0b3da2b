// Example parameters: one connection named `payments`. Deploy with
//   az deployment group create -g <resource-group> -p infra/main.bicepparam
// or `azd up`, which sets AZURE_ENV_NAME. Store the client secret afterwards:
//   az keyvault secret set --vault-name <AZURE_KEY_VAULT_NAME> -n payments-client-secret --file secret.txt
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'tokenbroker-dev')

param connections = [
  {
    name: 'payments'
    tokenEndpoint: 'https://login.payments.example.com/oauth2/token'
    clientId: 'tokenbroker-payments'
    secretName: 'payments-client-secret'
    scopes: 'payments.read payments.write'
    allowedScopes: 'payments.read payments.write payments.refund'
    authMethod: 'client_secret_basic'
  }
]

param maximumInstanceCount = 40

// The token cache key is written once: azd records the TOKENBROKER_TOKEN_CACHE_KEY_CREATED output
// of the first deployment in its environment, and later deployments leave the key alone. Outside
// azd, set that variable (or the parameter) after the first deployment.
param createTokenCacheKey = readEnvironmentVariable('TOKENBROKER_TOKEN_CACHE_KEY_CREATED', 'false') != 'true'

// Whoever runs `azd up` may store the first client secret right away (Key Vault Secrets Officer
// and Certificates Officer on the vault). Set TOKENBROKER_GRANT_DEPLOYER_ACCESS=false in
// pipelines whose principal must not read secrets.
param grantDeployerAccess = readEnvironmentVariable('TOKENBROKER_GRANT_DEPLOYER_ACCESS', 'true') == 'true'

// Where the alerts go (comma-separated e-mail addresses); none by default.
param alertEmailAddresses = empty(readEnvironmentVariable('TOKENBROKER_ALERT_EMAILS', ''))
  ? []
  : split(readEnvironmentVariable('TOKENBROKER_ALERT_EMAILS', ''), ',')
