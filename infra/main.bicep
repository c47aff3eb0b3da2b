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

@description('Optional. Write the token cache key secret (token-cache-key). Needed once: each write is a new key version and a Key Vault event. main.bicepparam turns it off once azd has recorded TOKENBROKER_TOKEN_CACHE_KEY_CREATED.')
param createTokenCacheKey bool = true

@secure()
@description('Optional. Seed of the token cache key written with createTokenCacheKey; defaults to a new random value.')
param tokenCacheKeySeed string = newGuid()

@description('Optional. When the token cache key written with createTokenCacheKey expires (ISO 8601); a year from the deployment by default. Renew it before then (docs/runbook.md).')
param tokenCacheKeyExpiresOn string = dateTimeAdd(utcNow(), 'P1Y')

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

@description('Optional. Storage public endpoint: Enabled (restricted by the firewall below), or Disabled to admit private endpoints only. Event Grid delivery needs the trusted-services exception of the firewall, so keep Enabled with storageNetworkDefaultAction Deny to lock storage down.')
@allowed(['Enabled', 'Disabled'])
param storagePublicNetworkAccess string = 'Enabled'

@description('Optional. Storage firewall default: Allow, or Deny to admit only the subnets below and trusted Azure services. Deny needs the Function App\'s VNet integration.')
@allowed(['Allow', 'Deny'])
param storageNetworkDefaultAction string = 'Allow'

@description('Optional. Subnet resource ids admitted by the storage firewall (service endpoint Microsoft.Storage), normally the Function App\'s integration subnet.')
param storageAllowedSubnetIds string[] = []

@description('Optional. Subnet for the Function App\'s outbound VNet integration (Flex Consumption: delegated to Microsoft.App/environments); empty for none.')
param virtualNetworkSubnetId string = ''

@description('Optional. Subnet for private endpoints to the storage account (blob, queue, table) and the vault; empty for none.')
param privateEndpointSubnetId string = ''

@description('Optional. Existing privatelink DNS zones by service (blob, queue, table, vault), e.g. a landing zone\'s; services left out get a zone created and linked to the endpoints\' virtual network.')
param privateDnsZoneIds { blob: string?, queue: string?, table: string?, vault: string? } = {}

@description('Optional. Keep Key Vault events Event Grid could not deliver in a blob container instead of dropping them after 24 hours.')
param enableEventDeadLettering bool = false

@description('Optional. Principal (user or group object id) granted Key Vault Secrets Officer and Certificates Officer to store connection secrets and certificates; empty to manage that access elsewhere.')
param vaultOperatorPrincipalId string = ''

@description('Optional. Grant the deploying principal (deployer()) Key Vault Secrets Officer and Certificates Officer on the vault, and on Elastic Premium Storage Blob Data Contributor on the package container, so it can store the first secret right after deploying.')
param grantDeployerAccess bool = false

@description('Optional. Suffix of the vault name (letters and digits), to deploy again while a deleted vault of the default name is held by purge protection; see docs/runbook.md.')
@maxLength(7)
param keyVaultNameSuffix string = ''

@description('Optional. Recover the soft-deleted vault of this name (with its secrets) instead of creating a new one; see docs/runbook.md.')
param recoverSoftDeletedKeyVault bool = false

@description('Optional. Instances kept warm for the token endpoint: Flex Consumption always-ready instances of the http group (0 scales to zero and accepts cold starts); Elastic Premium uses at least 1.')
@minValue(0)
@maxValue(100)
param alwaysReadyInstances int = 0

@description('Optional. Zone redundancy for the plan and the storage account (which then uses Standard_ZRS).')
param zoneRedundant bool = false

@description('Optional. Resource id of an existing Log Analytics workspace to use instead of creating one.')
param existingLogAnalyticsWorkspaceId string = ''

@description('Optional. Resource id of an existing workspace-based Application Insights component to use instead of creating one.')
param existingApplicationInsightsId string = ''

@description('Optional. Days before a credential expires that its warning alert fires; keep equal to the broker\'s TokenBroker:Lifecycle:Inventory:WarningWindow (30 days by default).')
@minValue(2)
@maxValue(365)
param credentialWarningWindowDays int = 30

@description('Optional. Days before a credential expires that its critical alert fires; keep equal to the broker\'s TokenBroker:Lifecycle:Inventory:CriticalWindow (7 days by default).')
@minValue(1)
@maxValue(364)
param credentialCriticalWindowDays int = 7

@description('Optional. E-mail addresses the alerts notify.')
param alertEmailAddresses string[] = []

@secure()
@description('Optional. Webhook the alerts call; empty for none.')
param alertWebhookUrl string = ''

@description('Optional. Days logs are retained.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Optional. Tags added to every resource.')
param tags { *: string } = {}

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var keyVaultSuffix = toLower(keyVaultNameSuffix)
var allTags = union(tags, { 'azd-env-name': environmentName })

// Fixed by the broker: SecretRotationEvents is a queue trigger on this queue, and the
// Functions runtime names the poison queue after it.
var rotationQueueName = 'secret-rotation-events'
var poisonQueueName = '${rotationQueueName}-poison'

var deploymentContainerName = 'app-package'
// The Functions host keeps locks, timer state, the host id check and function keys here.
var hostContainerNames = ['azure-webjobs-hosts', 'azure-webjobs-secrets']
var deadLetterContainerName = enableEventDeadLettering ? 'eventgrid-deadletter' : ''

var effectiveStorageSku = zoneRedundant ? 'Standard_ZRS' : storageSkuName
// An existing component may live in another resource group or subscription; its role assignment is made there.
var applicationInsightsIdSegments = split(existingApplicationInsightsId, '/')
var applicationInsightsSubscriptionId = empty(existingApplicationInsightsId)
  ? subscription().subscriptionId
  : applicationInsightsIdSegments[2]
var applicationInsightsResourceGroup = empty(existingApplicationInsightsId)
  ? resourceGroup().name
  : applicationInsightsIdSegments[4]

// Connections whose client secret the broker rotates itself (Lifecycle rotation Automatic): it writes new versions
// of exactly these secrets. A rotated certificate's new version comes from Key Vault's own renewal policy, so
// certificates need no write access (docs/deploy.md). Connections sharing a secret share its one assignment.
var rotatingSecretNames = union(
  map(
    filter(
      connections,
      c =>
        c.?lifecycle.?rotation == 'Automatic' && contains(['client_secret_basic', 'client_secret_post'], c.?authMethod ?? 'client_secret_basic') && c.?secretName != null
    ),
    c => c.?secretName ?? ''
  ),
  []
)

var names = {
  brokerIdentity: 'id-broker-${resourceToken}'
  storage: 'st${resourceToken}'
  // 24 characters at most: kv- (3) + token (13) + -suffix (8).
  keyVault: empty(keyVaultSuffix) ? 'kv-${resourceToken}' : 'kv-${resourceToken}-${keyVaultSuffix}'
  workspace: 'log-${resourceToken}'
  applicationInsights: 'appi-${resourceToken}'
  plan: 'plan-${resourceToken}'
  functionApp: 'func-${resourceToken}'
  systemTopic: 'evgt-${resourceToken}'
}

// The broker runs as one user-assigned identity; Event Grid delivers as its system topic's own.
module brokerIdentity 'modules/identity.bicep' = {
  params: {
    name: names.brokerIdentity
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
    skuName: effectiveStorageSku
    publicNetworkAccess: storagePublicNetworkAccess
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
    recoverSoftDeleted: recoverSoftDeletedKeyVault
    createTokenCacheKey: createTokenCacheKey
    tokenCacheKeySeed: tokenCacheKeySeed
    tokenCacheKeyExpiresOn: dateTimeToEpoch(tokenCacheKeyExpiresOn)
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
    existingWorkspaceId: existingLogAnalyticsWorkspaceId
    existingApplicationInsightsId: existingApplicationInsightsId
  }
}

// Least privilege, each role on the narrowest resource its documented need allows.
module roleAssignments 'modules/role-assignments.bicep' = {
  params: {
    storageAccountName: names.storage
    keyVaultName: names.keyVault
    // Assignment names include the principal id (known only once the identity exists), so
    // a re-created identity gets new assignments instead of colliding with orphaned ones.
    #disable-next-line what-if-short-circuiting
    brokerPrincipalId: brokerIdentity.outputs.identity.principalId
    rotationQueueName: rotationQueueName
    poisonQueueName: poisonQueueName
    deploymentContainerName: deploymentContainerName
    vaultOperatorPrincipalId: vaultOperatorPrincipalId
    grantDeployerAccess: grantDeployerAccess
    deployerPrincipalId: deployer().objectId
    deployerUploadsPackage: hostingPlan == 'ElasticPremium'
    brokerReadsCertificates: contains(map(connections, c => c.?authMethod ?? 'client_secret_basic'), 'private_key_jwt')
    brokerRotatesSecretNames: rotatingSecretNames
  }
  dependsOn: [
    storage
    keyVault
  ]
}

module applicationInsightsPublisher 'modules/app-insights-publisher.bicep' = {
  scope: resourceGroup(applicationInsightsSubscriptionId, applicationInsightsResourceGroup)
  params: {
    applicationInsightsName: empty(existingApplicationInsightsId)
      ? names.applicationInsights
      : last(split(existingApplicationInsightsId, '/'))
    #disable-next-line what-if-short-circuiting
    brokerPrincipalId: brokerIdentity.outputs.identity.principalId
  }
  dependsOn: [
    monitoring
  ]
}

// Private endpoints and their DNS records, when a subnet for them is given.
module privateEndpoints 'modules/private-endpoints.bicep' = if (!empty(privateEndpointSubnetId)) {
  params: {
    location: location
    tags: allTags
    subnetId: privateEndpointSubnetId
    storageAccountName: names.storage
    keyVaultName: names.keyVault
    privateDnsZoneIds: privateDnsZoneIds
  }
  dependsOn: [
    storage
    keyVault
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
    alwaysReadyInstances: alwaysReadyInstances
    zoneRedundant: zoneRedundant
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
    applicationInsightsPublisher
    privateEndpoints
  ]
}

// Secret rotation: Key Vault events into the broker's queue, delivered with the topic's identity.
module eventGrid 'modules/event-grid.bicep' = {
  params: {
    name: names.systemTopic
    location: location
    tags: allTags
    keyVaultName: names.keyVault
    storageAccountName: names.storage
    queueName: rotationQueueName
    deadLetterContainerName: deadLetterContainerName
  }
  dependsOn: [
    storage
    keyVault
  ]
}

// What operators look at: logs kept in the workspace, alerts, a workbook.
module diagnostics 'modules/diagnostics.bicep' = {
  params: {
    workspaceId: monitoring.outputs.workspaceId
    keyVaultName: names.keyVault
    storageAccountName: names.storage
    functionAppName: names.functionApp
    systemTopicName: names.systemTopic
  }
  dependsOn: [
    functionApp
    eventGrid
  ]
}

module alerts 'modules/alerts.bicep' = {
  params: {
    namePrefix: resourceToken
    location: location
    tags: allTags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    workspaceId: monitoring.outputs.workspaceId
    keyVaultId: keyVault.outputs.id
    systemTopicId: eventGrid.outputs.id
    poisonQueueName: poisonQueueName
    credentialWarningWindowDays: credentialWarningWindowDays
    credentialCriticalWindowDays: credentialCriticalWindowDays >= credentialWarningWindowDays
      ? fail('credentialCriticalWindowDays must be shorter than credentialWarningWindowDays')
      : credentialCriticalWindowDays
    emailAddresses: alertEmailAddresses
    webhookUrl: alertWebhookUrl
  }
}

module workbook 'modules/workbook.bicep' = {
  params: {
    namePrefix: resourceToken
    location: location
    tags: allTags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
  }
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

@description('Hosting plan deployed (FlexConsumption or ElasticPremium); the azd predeploy hook reads it.')
output AZURE_HOSTING_PLAN string = hostingPlan

@description('Set once the token cache key has been written; main.bicepparam then stops writing it (azd keeps outputs in its environment).')
output TOKENBROKER_TOKEN_CACHE_KEY_CREATED string = 'true'

@description('Resource id of the Function App.')
output AZURE_FUNCTION_APP_ID string = functionApp.outputs.id

@description('Resource id of the hosting plan.')
output AZURE_APP_SERVICE_PLAN_ID string = functionApp.outputs.planId

@description('Resource id of the storage account.')
output AZURE_STORAGE_ACCOUNT_ID string = storage.outputs.id

@description('Resource id of the vault.')
output AZURE_KEY_VAULT_ID string = keyVault.outputs.id

@description('Resource id of the Log Analytics workspace.')
output AZURE_LOG_ANALYTICS_WORKSPACE_ID string = monitoring.outputs.workspaceId

@description('Resource id of the Application Insights component.')
output APPLICATIONINSIGHTS_ID string = monitoring.outputs.applicationInsightsId

@description('Resource id of the Event Grid system topic on the vault.')
output AZURE_EVENT_GRID_SYSTEM_TOPIC_ID string = eventGrid.outputs.id

@description('Principal id of the system topic\'s identity, which delivers Key Vault events to the queue.')
output EVENT_GRID_TOPIC_PRINCIPAL_ID string = eventGrid.outputs.principalId

@description('Resource id of the broker\'s user-assigned identity.')
output BROKER_IDENTITY_ID string = brokerIdentity.outputs.identity.id

@description('Resource id of the action group the alerts notify.')
output AZURE_ACTION_GROUP_ID string = alerts.outputs.actionGroupId
