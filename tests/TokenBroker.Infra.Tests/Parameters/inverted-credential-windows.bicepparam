// A critical window as long as the warning window: refused, since the warning band would be empty.
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
]

param credentialWarningWindowDays = 14

param credentialCriticalWindowDays = 14
