// The Elastic Premium fallback with a lower instance cap, deployed by a principal that uploads the package.
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
param grantDeployerAccess = true
