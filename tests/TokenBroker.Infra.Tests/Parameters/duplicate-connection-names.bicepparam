// Must fail: app setting names are case-insensitive, so these two would overwrite each other.
using '../../../infra/main.bicep'

param environmentName = 'infra-tests-duplicates'

param connections = [
  {
    name: 'payments'
    tokenEndpoint: 'https://auth.payments.example/oauth2/token'
    clientId: 'broker-payments'
    secretName: 'payments-client-secret'
    scopes: 'payments.read'
  }
  {
    name: 'Payments'
    tokenEndpoint: 'https://auth.payments.example/oauth2/token'
    clientId: 'broker-payments-2'
    secretName: 'payments-client-secret-2'
    scopes: 'payments.read'
  }
]
