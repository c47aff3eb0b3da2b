// A later deployment into a platform's shared monitoring: an existing workspace and
// Application Insights in another resource group, the token cache key left alone, and a vault
// name suffix because the previous vault of the default name is held by purge protection.
using '../../../infra/main.bicep'

param environmentName = 'infra-tests-redeploy'

param connections = [
  {
    name: 'payments'
    tokenEndpoint: 'https://auth.payments.example/oauth2/token'
    clientId: 'broker-payments'
    secretName: 'payments-client-secret'
    scopes: 'payments.read'
  }
]

param existingLogAnalyticsWorkspaceId = '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/log-platform'
param existingApplicationInsightsId = '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-monitoring/providers/Microsoft.Insights/components/appi-platform'
param createTokenCacheKey = false
param keyVaultNameSuffix = 'r2'
