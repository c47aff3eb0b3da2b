// Two connections, everything else default: one app-setting set per connection.
using '../../../infra/main.bicep'

param environmentName = 'infra-tests'

param connections = [
  {
    name: 'payments'
    tokenEndpoint: 'https://auth.payments.example/oauth2/token'
    clientId: 'broker-payments'
    secretName: 'payments-client-secret'
    scopes: 'payments.read'
  }
  {
    name: 'ledger'
    tokenEndpoint: 'https://auth.ledger.example/connect/token'
    clientId: 'broker-ledger'
    certificateName: 'ledger-signing-cert'
    signingAlgorithm: 'PS256'
    scopes: 'ledger.read ledger.write'
    allowedScopes: 'ledger.read ledger.write ledger.admin'
    authMethod: 'private_key_jwt'
  }
]
