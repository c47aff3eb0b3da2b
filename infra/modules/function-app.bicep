// The broker's Function App: the hosting plan chosen by `hostingPlan`, the app settings the
// broker reads (one set per connection), publishing credentials off and, optionally, App
// Service Authentication in front of it.

import { accessRule, brokerConnection, connectionLifecycle, hostingPlan as hostingPlanType, identityReference } from 'types.bicep'

@description('Required. Function App name.')
param name string

@description('Required. Plan name.')
param planName string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for the plan and the app.')
param tags { *: string } = {}

@description('Required. FlexConsumption, or ElasticPremium as the fallback.')
param hostingPlan hostingPlanType

@description('Required. The broker\'s user-assigned identity.')
param identity identityReference

@description('Required. Storage service endpoints (with trailing slashes) of the AzureWebJobsStorage account.')
param storageEndpoints { blob: string, queue: string, table: string }

@description('Required. Container holding the deployment package.')
param deploymentContainerName string

@description('Required. URI of the vault holding the connection secrets.')
param keyVaultUri string

@description('Required. Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Required. The broker\'s connections.')
param connections brokerConnection[]

@description('Required. Name of the token cache table.')
param tokenCacheTableName string

@description('Required. NCRONTAB schedule of the RefreshTokens timer.')
param refreshSchedule string

@description('Required. Most instances the app may scale out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Required. Flex Consumption: memory of one instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int

@description('Required. Flex Consumption: concurrent HTTP requests per instance.')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int

@description('Required. Elastic Premium: plan size.')
@allowed(['EP1', 'EP2', 'EP3'])
param elasticPremiumSku string

@description('Optional. Subnet for outbound VNet integration; empty for none.')
param virtualNetworkSubnetId string = ''

@description('Optional. Instances kept warm for the HTTP functions (Flex Consumption: always-ready instances of the http group; Elastic Premium: at least one).')
@minValue(0)
@maxValue(100)
param alwaysReadyInstances int = 0

@description('Optional. Spread the plan\'s instances over availability zones.')
param zoneRedundant bool = false

@description('Optional. Audience callers\' Entra ID tokens must carry; empty when callers are not validated.')
param callerAudience string = ''

@description('Optional. Client id of the broker\'s Entra ID app registration (v2 tokens carry it as audience).')
param callerAppClientId string = ''

@description('Optional. Client ids of the only applications allowed to call; empty admits any caller with a valid token.')
param allowedCallerApplicationIds string[] = []

@description('Optional. Who may obtain which connections (default deny); required when callerAudience is set.')
param accessRules accessRule[] = []

@description('Optional. Put App Service Authentication in front of the app, requiring an Entra ID token.')
param enableAppServiceAuthentication bool = false

var isFlexConsumption = hostingPlan == 'FlexConsumption'

// App setting name to value.
type appSettingMap = { *: string }

// One connection's app settings under its setting-safe key.
func connectionSettingsOf(key string, c brokerConnection) appSettingMap =>
  union(
    {
      'TokenBroker__Connections__${key}__TokenEndpoint': c.tokenEndpoint
      'TokenBroker__Connections__${key}__ClientId': c.clientId
      'TokenBroker__Connections__${key}__Scopes': c.scopes
      'TokenBroker__Connections__${key}__AuthMethod': c.?authMethod ?? 'client_secret_basic'
    },
    key == c.name ? {} : { 'TokenBroker__Connections__${key}__Name': c.name },
    c.?allowedScopes == null ? {} : { 'TokenBroker__Connections__${key}__AllowedScopes': c.?allowedScopes },
    c.?secretName == null ? {} : { 'TokenBroker__Connections__${key}__SecretName': c.?secretName },
    c.?certificateName == null ? {} : { 'TokenBroker__Connections__${key}__CertificateName': c.?certificateName },
    c.?signingAlgorithm == null ? {} : { 'TokenBroker__Connections__${key}__SigningAlgorithm': c.?signingAlgorithm },
    c.?assertionAudience == null ? {} : { 'TokenBroker__Connections__${key}__AssertionAudience': c.?assertionAudience },
    c.?federationAudience == null ? {} : { 'TokenBroker__Connections__${key}__FederationAudience': c.?federationAudience },
    lifecycleSettingsOf('TokenBroker__Connections__${key}__Lifecycle', c.?lifecycle ?? {})
  )

// Only what the parameters set: an unset value keeps the broker's default.
func lifecycleSettingsOf(prefix string, l connectionLifecycle) appSettingMap =>
  union(
    l.?directory == null ? {} : { '${prefix}__Directory': l.?directory },
    l.?rotation == null ? {} : { '${prefix}__Rotation': l.?rotation },
    l.?lifetime == null ? {} : { '${prefix}__Lifetime': l.?lifetime },
    l.?renewBefore == null ? {} : { '${prefix}__RenewBefore': l.?renewBefore },
    l.?grace == null ? {} : { '${prefix}__Grace': l.?grace }
  )

// Two apps sharing a storage account must not share a host id; the platform would derive
// one by truncating the name, so it is set explicitly (at most 32 characters).
var hostIdCandidate = take(toLower(name), 32)
var hostId = endsWith(hostIdCandidate, '-') ? take(hostIdCandidate, 31) : hostIdCandidate

var callerAuthority = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'

var runtimeSettings = {
  AzureFunctionsWebHost__hostid: hostId
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.clientId
  AzureWebJobsStorage__blobServiceUri: storageEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storageEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storageEndpoints.table
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.clientId};Authorization=AAD'
}

// Flex Consumption takes the runtime and the package from functionAppConfig and rejects
// these settings; Elastic Premium needs them.
var elasticPremiumSettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated'
  WEBSITE_RUN_FROM_PACKAGE: '${storageEndpoints.blob}${deploymentContainerName}/broker.zip'
  WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID: identity.id
}

var brokerSettings = {
  AZURE_CLIENT_ID: identity.clientId
  TokenBroker__KeyVaultUri: keyVaultUri
  TokenBroker__TokenCache__ServiceUri: storageEndpoints.table
  TokenBroker__TokenCache__TableName: tokenCacheTableName
  TokenBroker__Refresh__Schedule: refreshSchedule
}

// Without an audience there is no caller identity: the function key is then the only gate, and the broker must be
// told so explicitly (it refuses to guess outside Development).
var callerSettings = empty(callerAudience)
  ? {
      TokenBroker__Callers__Mode: 'FunctionKeyOnly'
    }
  : {
      TokenBroker__Callers__Authority: callerAuthority
      TokenBroker__Callers__Audience: callerAudience
    }

var accessRuleSettings = reduce(
  range(0, length(accessRules)),
  {},
  (settings, i) =>
    union(
      settings,
      accessRules[i].?appId == null ? {} : { 'TokenBroker__Access__Rules__${i}__AppId': accessRules[i].?appId },
      accessRules[i].?objectId == null ? {} : { 'TokenBroker__Access__Rules__${i}__ObjectId': accessRules[i].?objectId },
      accessRules[i].?role == null ? {} : { 'TokenBroker__Access__Rules__${i}__Role': accessRules[i].?role },
      toObject(
        items(accessRules[i].connections),
        grant => 'TokenBroker__Access__Rules__${i}__Connections__${replace(grant.key, '-', '_')}',
        grant => grant.value
      )
    )
)

// App setting names may hold only letters, digits, '.' and '_' (App Service), and are
// case-insensitive. A connection name the broker accepts may also hold '-': such a connection
// is keyed by its name with '_' for '-', and carries its name in __Name. Two names that map to
// one key would silently overwrite each other, so they are refused.
var connectionKeys = map(connections, c => replace(c.name, '-', '_'))
var distinctKeys = union(map(connectionKeys, k => toLower(k)), [])
var connectionSettings = length(distinctKeys) != length(connectionKeys)
  ? fail('Connection names must be unique, ignoring case and treating \'-\' and \'_\' alike (app setting names cannot hold \'-\'): ${join(map(connections, c => c.name), ', ')}')
  : reduce(
      range(0, length(connections)),
      {},
      (settings, i) =>
        union(
          settings,
          connectionSettingsOf(connectionKeys[i], connections[i])
        )
    )

var appSettings = union(
  runtimeSettings,
  isFlexConsumption ? {} : elasticPremiumSettings,
  brokerSettings,
  callerSettings,
  accessRuleSettings,
  connectionSettings
)

module flexConsumption 'function-app-flex-consumption.bicep' = if (isFlexConsumption) {
  params: {
    name: name
    planName: planName
    location: location
    tags: tags
    identity: identity
    deploymentContainerUrl: '${storageEndpoints.blob}${deploymentContainerName}'
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    virtualNetworkSubnetId: virtualNetworkSubnetId
    alwaysReadyInstances: alwaysReadyInstances
    zoneRedundant: zoneRedundant
  }
}

module elasticPremium 'function-app-elastic-premium.bicep' = if (!isFlexConsumption) {
  params: {
    name: name
    planName: planName
    location: location
    tags: tags
    identity: identity
    skuName: elasticPremiumSku
    maximumInstanceCount: min(maximumInstanceCount, 100)
    virtualNetworkSubnetId: virtualNetworkSubnetId
    alwaysReadyInstances: min(max(alwaysReadyInstances, 1), 20)
    zoneRedundant: zoneRedundant
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' existing = {
  name: name
}

resource settings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
  dependsOn: [
    flexConsumption
    elasticPremium
  ]
}

resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
  dependsOn: [
    flexConsumption
    elasticPremium
  ]
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
  dependsOn: [
    flexConsumption
    elasticPremium
  ]
}

// Entra ID tokens for the broker's audience, checked before a request reaches the worker.
// Health stays anonymous for probes; Token still needs its function key as well.
resource authentication 'Microsoft.Web/sites/config@2024-11-01' = if (enableAppServiceAuthentication) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      excludedPaths: [
        '/api/health'
      ]
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: empty(callerAppClientId)
          ? { openIdIssuer: callerAuthority }
          : { openIdIssuer: callerAuthority, clientId: callerAppClientId }
        validation: {
          allowedAudiences: empty(callerAppClientId) ? [callerAudience] : [callerAudience, callerAppClientId]
          defaultAuthorizationPolicy: empty(allowedCallerApplicationIds)
            ? null
            : { allowedApplications: allowedCallerApplicationIds }
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
  // One site configuration change at a time: each restarts the app.
  dependsOn: [
    settings
  ]
}

@description('Name of the Function App.')
output name string = site.name

@description('Resource id of the Function App.')
output id string = site.id

@description('Resource id of the hosting plan.')
output planId string = isFlexConsumption ? flexConsumption!.outputs.planId : elasticPremium!.outputs.planId

@description('Default host name of the Function App.')
output defaultHostName string = site.properties.defaultHostName

@description('The host id the app runs with.')
output hostId string = hostId
