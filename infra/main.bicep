// TokenBroker: an OAuth 2.0 client-credentials token broker on Azure Functions.
// One deployment into one resource group gives a working, locked-down broker:
//   az deployment group create -g <rg> -p infra/main.bicepparam      or      azd up
// See docs/deploy.md.

targetScope = 'resourceGroup'

import { accessRule, brokerConnection, hostingPlan as hostingPlanType } from 'modules/types.bicep'

metadata name = 'TokenBroker'
metadata description = 'OAuth 2.0 client-credentials token broker on Azure Functions, with Key Vault, Table Storage cache and Event Grid driven secret rotation.'

@description('Required. Environment name (azd: AZURE_ENV_NAME); seeds resource names and the azd-env-name tag.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Optional. Azure region; defaults to the resource group\'s.')
param location string = resourceGroup().location

@description('Required. The authorization-server connections the broker serves; each becomes one set of app settings.')
@minLength(1)
param connections brokerConnection[]

@description('Optional. FlexConsumption (default), or ElasticPremium where Flex Consumption is unavailable or unsuitable.')
param hostingPlan hostingPlanType = 'FlexConsumption'

@description('Optional. Most instances the app scales out to, protecting Key Vault, the authorization servers and Table Storage from a runaway scale-out. Elastic Premium caps at 100.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Optional. Flex Consumption: memory of one instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Optional. Flex Consumption: concurrent HTTP requests one instance takes before the platform adds another.')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int = 16

@description('Optional. Elastic Premium: plan size.')
@allowed(['EP1', 'EP2', 'EP3'])
param elasticPremiumSku string = 'EP1'

@description('Optional. NCRONTAB schedule of the RefreshTokens timer.')
param refreshSchedule string = '0 */1 * * * *'

@description('Optional. Name of the token cache table.')
@minLength(3)
@maxLength(63)
param tokenCacheTableName string = 'TokenCache'

@description('Optional. Storage replication.')
@allowed(['Standard_LRS', 'Standard_ZRS'])
param storageSkuName string = 'Standard_LRS'

@description('Optional. Audience callers\' Entra ID tokens must carry (e.g. api://tokenbroker). Sets TokenBroker__Callers__*; required by App Service Authentication.')
param callerAudience string = ''

@description('Optional. Client id of the broker\'s Entra ID app registration; v2 access tokens carry it as their audience.')
param callerAppClientId string = ''

@description('Optional. Client ids of the only applications allowed to call the broker; empty admits any caller with a valid token.')
param allowedCallerApplicationIds string[] = []

@description('Optional. Who may obtain which connections: [{ appId | objectId | role, connections: { name: \'scopes\' or \'*\' } }]. Default deny; required when callerAudience is set.')
param accessRules accessRule[] = []

@secure()
@description('Optional. Seed of the key that seals cached tokens at rest. The default is a new random value per deployment, which rotates the key on every deployment (entries sealed with the previous version stay readable); pass a value kept in a secure store to keep it.')
param tokenCacheKeySeed string = newGuid()

@description('Optional. Require an Entra ID token for the broker\'s audience at the App Service front end (authsettingsV2).')
param enableAppServiceAuthentication bool = false

@description('Optional. Key Vault public endpoint: Enabled, or Disabled when reached through a private endpoint only.')
@allowed(['Enabled', 'Disabled'])
param keyVaultPublicNetworkAccess string = 'Enabled'

@description('Optional. Key Vault firewall default: Allow, or Deny to admit only the IP ranges and subnets below and trusted Azure services.')
@allowed(['Allow', 'Deny'])
param keyVaultNetworkDefaultAction string = 'Allow'

@description('Optional. Public IP ranges (CIDR) admitted by the Key Vault firewall.')
param keyVaultAllowedIpRanges string[] = []

@description('Optional. Subnet resource ids admitted by the Key Vault firewall (service endpoint Microsoft.KeyVault).')
param keyVaultAllowedSubnetIds string[] = []

@description('Optional. Storage firewall default: Allow, or Deny to admit only the subnets below and trusted Azure services. Deny needs the Function App\'s VNet integration.')
@allowed(['Allow', 'Deny'])
param storageNetworkDefaultAction string = 'Allow'

@description('Optional. Subnet resource ids admitted by the storage firewall (service endpoint Microsoft.Storage), normally the Function App\'s integration subnet.')
param storageAllowedSubnetIds string[] = []

@description('Optional. Subnet for the Function App\'s outbound VNet integration (Flex Consumption: delegated to Microsoft.App/environments); empty for none.')
param virtualNetworkSubnetId string = ''

@description('Optional. Keep Key Vault events Event Grid could not deliver in a blob container instead of dropping them after 24 hours.')
param enableEventDeadLettering bool = false

@description('Optional. Principal (user or group object id) granted Key Vault Secrets Officer to store connection secrets; empty to manage that access elsewhere.')
param vaultOperatorPrincipalId string = ''

@description('Optional. Days logs are retained.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Optional. Tags added to every resource.')
param tags { *: string } = {}

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var allTags = union(tags, { 'azd-env-name': environmentName })

// Fixed by the broker: SecretRotationEvents is a queue trigger on this queue, and the
// Functions runtime names the poison queue after it.
var rotationQueueName = 'secret-rotation-events'
var poisonQueueName = '${rotationQueueName}-poison'

var deploymentContainerName = 'app-package'
// The Functions host keeps locks, timer state, the host id check and function keys here.
var hostContainerNames = ['azure-webjobs-hosts', 'azure-webjobs-secrets']
var deadLetterContainerName = enableEventDeadLettering ? 'eventgrid-deadletter' : ''

var names = {
  brokerIdentity: 'id-broker-${resourceToken}'
  eventGridIdentity: 'id-evgt-${resourceToken}'
  storage: 'st${resourceToken}'
  keyVault: 'kv-${resourceToken}'
  workspace: 'log-${resourceToken}'
  applicationInsights: 'appi-${resourceToken}'
  plan: 'plan-${resourceToken}'
  functionApp: 'func-${resourceToken}'
  systemTopic: 'evgt-${resourceToken}'
}

// The broker runs as one user-assigned identity; Event Grid delivers as another.
module brokerIdentity 'modules/identity.bicep' = {
  params: {
    name: names.brokerIdentity
    location: location
    tags: allTags
  }
}

module eventGridIdentity 'modules/identity.bicep' = {
  params: {
    name: names.eventGridIdentity
    location: location
    tags: allTags
  }
}

// Storage without shared keys: host storage, deployment package, token cache, rotation queue.
module storage 'modules/storage.bicep' = {
  params: {
    name: names.storage
    location: location
    tags: allTags
    skuName: storageSkuName
    networkDefaultAction: storageNetworkDefaultAction
    allowedSubnetIds: storageAllowedSubnetIds
    containerNames: concat(
      [deploymentContainerName],
      hostContainerNames,
      enableEventDeadLettering ? [deadLetterContainerName] : []
    )
    tokenCacheTableName: tokenCacheTableName
    queueNames: [rotationQueueName, poisonQueueName]
  }
}

// Client secrets in an RBAC-only vault with purge protection.
module keyVault 'modules/keyvault.bicep' = {
  params: {
    name: names.keyVault
    location: location
    tags: allTags
    publicNetworkAccess: keyVaultPublicNetworkAccess
    networkDefaultAction: keyVaultNetworkDefaultAction
    allowedIpRanges: keyVaultAllowedIpRanges
    allowedSubnetIds: keyVaultAllowedSubnetIds
    tokenCacheKeySeed: tokenCacheKeySeed
  }
}

// Logs and telemetry, accepted only with Entra ID tokens.
module monitoring 'modules/monitoring.bicep' = {
  params: {
    workspaceName: names.workspace
    applicationInsightsName: names.applicationInsights
    location: location
    tags: allTags
    retentionInDays: logRetentionInDays
  }
}

// Least privilege, each role on the one resource it concerns.
module roleAssignments 'modules/role-assignments.bicep' = {
  params: {
    storageAccountName: names.storage
    keyVaultName: names.keyVault
    applicationInsightsName: names.applicationInsights
    // Assignment names include the principal id (known only once the identity exists), so
    // a re-created identity gets new assignments instead of colliding with orphaned ones.
    #disable-next-line what-if-short-circuiting
    brokerPrincipalId: brokerIdentity.outputs.identity.principalId
    #disable-next-line what-if-short-circuiting
    eventGridPrincipalId: eventGridIdentity.outputs.identity.principalId
    runtimeContainerNames: concat([deploymentContainerName], hostContainerNames)
    tokenCacheTableName: tokenCacheTableName
    rotationQueueName: rotationQueueName
    poisonQueueName: poisonQueueName
    deadLetterContainerName: deadLetterContainerName
    vaultOperatorPrincipalId: vaultOperatorPrincipalId
    brokerReadsCertificates: contains(map(connections, c => c.?authMethod ?? 'client_secret_basic'), 'private_key_jwt')
  }
  dependsOn: [
    storage
    keyVault
    monitoring
  ]
}

// The broker itself, started once it can reach what it needs.
module functionApp 'modules/function-app.bicep' = {
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: union(allTags, { 'azd-service-name': 'broker' })
    hostingPlan: hostingPlan
    identity: brokerIdentity.outputs.identity
    storageEndpoints: {
      blob: storage.outputs.blobEndpoint
      queue: storage.outputs.queueEndpoint
      table: storage.outputs.tableEndpoint
    }
    deploymentContainerName: deploymentContainerName
    keyVaultUri: keyVault.outputs.uri
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    connections: connections
    tokenCacheTableName: tokenCacheTableName
    refreshSchedule: refreshSchedule
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    elasticPremiumSku: elasticPremiumSku
    virtualNetworkSubnetId: virtualNetworkSubnetId
    callerAudience: enableAppServiceAuthentication && empty(callerAudience)
      ? fail('callerAudience is required when enableAppServiceAuthentication is true')
      : callerAudience
    callerAppClientId: callerAppClientId
    allowedCallerApplicationIds: allowedCallerApplicationIds
    accessRules: !empty(callerAudience) && empty(accessRules)
      ? fail('accessRules must grant at least one caller when callerAudience is set (the broker denies by default)')
      : accessRules
    enableAppServiceAuthentication: enableAppServiceAuthentication
  }
  dependsOn: [
    roleAssignments
  ]
}

// Secret rotation: Key Vault events into the broker's queue, delivered with an identity.
module eventGrid 'modules/event-grid.bicep' = {
  params: {
    name: names.systemTopic
    location: location
    tags: allTags
    keyVaultName: names.keyVault
    storageAccountName: names.storage
    queueName: rotationQueueName
    deliveryIdentityId: eventGridIdentity.outputs.identity.id
    deadLetterContainerName: deadLetterContainerName
  }
  dependsOn: [
    roleAssignments
  ]
}

@description('Azure region the broker runs in.')
output AZURE_LOCATION string = location

@description('Tenant of the deployment.')
output AZURE_TENANT_ID string = tenant().tenantId

@description('Function App name (azd deploys the broker service here).')
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

@description('Base URL of the broker; tokens at {BROKER_URL}/api/token/{connection}.')
output BROKER_URL string = 'https://${functionApp.outputs.defaultHostName}'

@description('Principal id of the broker\'s identity, for granting it access elsewhere (e.g. federated credentials).')
output BROKER_IDENTITY_PRINCIPAL_ID string = brokerIdentity.outputs.identity.principalId

@description('Client id of the broker\'s identity.')
output BROKER_IDENTITY_CLIENT_ID string = brokerIdentity.outputs.identity.clientId

@description('Name of the vault holding the connection secrets.')
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name

@description('URI of the vault holding the connection secrets.')
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri

@description('Storage account of the broker (host storage, token cache, rotation queue).')
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name

@description('Application Insights component receiving the broker\'s telemetry.')
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
