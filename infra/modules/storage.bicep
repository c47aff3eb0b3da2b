// The broker's storage account: Functions host storage, the deployment package, the token
// cache table and the rotation-events queues. Entra ID only: shared keys are refused.

@description('Required. Storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for the account.')
param tags { *: string } = {}

@description('Optional. Replication; zone-redundant storage is recommended where the region offers it.')
@allowed(['Standard_LRS', 'Standard_ZRS'])
param skuName string = 'Standard_LRS'

@description('Optional. Public endpoint: Enabled (restricted by the firewall below), or Disabled to admit private endpoints only.')
@allowed(['Enabled', 'Disabled'])
param publicNetworkAccess string = 'Enabled'

@description('Optional. Firewall default: Allow, or Deny to admit only the subnets below and trusted Azure services (Event Grid delivers as one).')
@allowed(['Allow', 'Deny'])
param networkDefaultAction string = 'Allow'

@description('Optional. Subnet resource ids (with the Microsoft.Storage service endpoint) admitted when the firewall denies by default.')
param allowedSubnetIds string[] = []

@description('Required. Blob containers to create (deployment package, Functions host, dead letters).')
param containerNames string[]

@description('Required. Name of the token cache table.')
param tokenCacheTableName string

@description('Required. Queues to create (the rotation-events queue and its poison queue).')
param queueNames string[]

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      // Event Grid delivers rotation events through this exception (with its system-assigned identity).
      bypass: 'AzureServices'
      defaultAction: networkDefaultAction
      virtualNetworkRules: [
        for i in range(0, length(allowedSubnetIds)): {
          id: allowedSubnetIds[i]
          action: 'Allow'
        }
      ]
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = [
  for containerName in containerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

resource tokenCacheTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-01-01' = {
  parent: tableService
  name: tokenCacheTableName
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

@description('Name of the storage account.')
output name string = storage.name

@description('Resource id of the storage account.')
output id string = storage.id

@description('Blob service endpoint, with a trailing slash.')
output blobEndpoint string = storage.properties.primaryEndpoints.blob

@description('Queue service endpoint, with a trailing slash.')
output queueEndpoint string = storage.properties.primaryEndpoints.queue

@description('Table service endpoint, with a trailing slash.')
output tableEndpoint string = storage.properties.primaryEndpoints.table
