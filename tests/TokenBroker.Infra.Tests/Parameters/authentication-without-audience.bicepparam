// Must fail: App Service Authentication with no audience would admit no caller.
using '../../../infra/main.bicep'

param environmentName = 'infra-tests-no-audience'

param connections = [
  {
    name: 'payments'
    tokenEndpoint: 'https://auth.payments.example/oauth2/token'
    clientId: 'broker-payments'
    secretName: 'payments-client-secret'
    scopes: 'payments.read'
  }
]

param enableAppServiceAuthentication = true
