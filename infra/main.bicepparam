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
