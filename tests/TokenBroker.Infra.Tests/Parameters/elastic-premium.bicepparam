// The Elastic Premium fallback with a lower instance cap.
using '../../../infra/main.bicep'

param environmentName = 'infra-tests-premium'

param connections = [
  {
    name: 'payments'
    tokenEndpoint: 'https://auth.payments.example/oauth2/token'
    clientId: 'broker-payments'
    secretName: 'payments-client-secret'
    scopes: 'payments.read'
  }
]

param hostingPlan = 'ElasticPremium'
param elasticPremiumSku = 'EP2'
param maximumInstanceCount = 20
