// Key Vault for the connections' client secrets: Azure RBAC only, soft delete and purge
// protection on, network restrictions optional.

@description('Required. Vault name (3-24 letters, digits and hyphens).')
@minLength(3)
@maxLength(24)
param name string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for the vault.')
param tags { *: string } = {}

@description('Optional. Whether the vault\'s public endpoint is reachable at all. Disabled requires a private endpoint.')
@allowed(['Enabled', 'Disabled'])
param publicNetworkAccess string = 'Enabled'

@description('Optional. Firewall default for the public endpoint. Deny admits only the IP ranges and subnets below and trusted Azure services.')
@allowed(['Allow', 'Deny'])
param networkDefaultAction string = 'Allow'

@description('Optional. Public IP addresses or CIDR ranges admitted when the firewall denies by default.')
param allowedIpRanges string[] = []

@description('Optional. Subnet resource ids (with the Microsoft.KeyVault service endpoint) admitted when the firewall denies by default.')
param allowedSubnetIds string[] = []

@description('Optional. Days a deleted secret or vault stays recoverable.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: networkDefaultAction
      ipRules: [for range in allowedIpRanges: { value: range }]
      virtualNetworkRules: [
        for i in range(0, length(allowedSubnetIds)): {
          id: allowedSubnetIds[i]
          ignoreMissingVnetServiceEndpoint: false
        }
      ]
    }
  }
}

@secure()
@description('Required. Seed of the key that seals tokens at rest in the token cache (stored as the secret token-cache-key; the broker derives the AES-256 key with SHA-256).')
param tokenCacheKeySeed string

// A deployment with a new seed stores a new version: the broker seals with it from then on and still opens entries
// sealed with the previous version while it stays enabled.
resource tokenCacheKey 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'token-cache-key'
  properties: {
    value: tokenCacheKeySeed
    contentType: 'TokenBroker token cache key seed'
    attributes: {
      enabled: true
    }
  }
}

@description('Name of the vault.')
output name string = vault.name

@description('Resource id of the vault.')
output id string = vault.id

@description('Vault URI, with a trailing slash.')
output uri string = vault.properties.vaultUri
