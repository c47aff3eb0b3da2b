// Log Analytics workspace and workspace-based Application Insights, created here or given as
// existing resources (a platform's shared workspace). Local (instrumentation key)
// authentication is off on what is created: telemetry is accepted only with an Entra token,
// which the broker's identity gets through Monitoring Metrics Publisher.

@description('Required. Log Analytics workspace name (used when none is given).')
param workspaceName string

@description('Required. Application Insights component name (used when none is given).')
param applicationInsightsName string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for both resources.')
param tags { *: string } = {}

@description('Optional. Days logs are retained.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

@description('Optional. Resource id of an existing Log Analytics workspace to use instead of creating one.')
param existingWorkspaceId string = ''

@description('Optional. Resource id of an existing workspace-based Application Insights component to use instead of creating one.')
param existingApplicationInsightsId string = ''

var createWorkspace = empty(existingWorkspaceId)
var createApplicationInsights = empty(existingApplicationInsightsId)

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = if (createWorkspace) {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      disableLocalAuth: true
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

var workspaceId = createWorkspace ? workspace.id : existingWorkspaceId

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = if (createApplicationInsights) {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspaceId
    DisableLocalAuth: true
    IngestionMode: 'LogAnalytics'
  }
}

// An existing component may live in another resource group or subscription of the tenant.
resource existingApplicationInsights 'Microsoft.Insights/components@2020-02-02' existing = if (!createApplicationInsights) {
  name: last(split(existingApplicationInsightsId, '/'))
  scope: resourceGroup(split(existingApplicationInsightsId, '/')[2], split(existingApplicationInsightsId, '/')[4])
}

@description('Name of the Application Insights component.')
output applicationInsightsName string = createApplicationInsights ? applicationInsights.name : existingApplicationInsights!.name

@description('Resource id of the Application Insights component.')
output applicationInsightsId string = createApplicationInsights ? applicationInsights.id : existingApplicationInsights!.id

@description('Connection string of the Application Insights component (an endpoint, not a credential: local auth is off).')
output applicationInsightsConnectionString string = createApplicationInsights
  ? applicationInsights!.properties.ConnectionString
  : existingApplicationInsights!.properties.ConnectionString

@description('Resource id of the Log Analytics workspace.')
output workspaceId string = workspaceId
