// Must fail: app setting names cannot hold '-', so payments-eu is keyed payments_eu, which is
// already another connection's name.
using '../../../infra/main.bicep'

param environmentName = 'infra-tests-colliding'

param connections = [
  {
    name: 'payments-eu'
    tokenEndpoint: 'https://auth.payments.example/oauth2/token'
    clientId: 'broker-payments'
    secretName: 'payments-client-secret'
    scopes: 'payments.read'
  }
  {
    name: 'payments_eu'
    tokenEndpoint: 'https://auth.payments.example/oauth2/token'
    clientId: 'broker-payments-2'
    secretName: 'payments-client-secret-2'
    scopes: 'payments.read'
  }
]
