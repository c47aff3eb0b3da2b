// Monitoring Metrics Publisher on the Application Insights component, deployed into the
// component's resource group (an existing component may live in another one).

import { builtInRoles } from 'roles.bicep'

@description('Required. Name of the Application Insights component in this resource group.')
param applicationInsightsName string

@description('Required. Principal id of the broker\'s user-assigned identity.')
param brokerPrincipalId string

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Telemetry with an Entra token (Application Insights local auth is off).
resource brokerPublishesTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, brokerPrincipalId, builtInRoles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.monitoringMetricsPublisher)
    principalId: brokerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'TokenBroker sends telemetry with its managed identity.'
  }
}
