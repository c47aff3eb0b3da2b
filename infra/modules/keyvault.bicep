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

@description('Optional. Recover the soft-deleted vault of this name (and its secrets) instead of creating one.')
param recoverSoftDeleted bool = false

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // Purge protection keeps a deleted vault's name for the retention period: recovering it is the way back to the
    // same name (docs/runbook.md, "Redeploying after the vault was deleted").
    createMode: recoverSoftDeleted ? 'recover' : 'default'
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

@description('Optional. Write the token cache key (secret token-cache-key). Once it exists, leave this off: every write is a new version, a SecretNewVersionCreated event and a what-if change.')
param createTokenCacheKey bool = false

@secure()
@description('Optional. Seed of the key that seals tokens at rest in the token cache (the broker derives the AES-256 key with SHA-256). Used only with createTokenCacheKey.')
param tokenCacheKeySeed string = ''

@description('Optional. Expiry of the token cache key written with createTokenCacheKey, in seconds since the Unix epoch (landing-zone policies may require one).')
@minValue(0)
param tokenCacheKeyExpiresOn int = 0

// Written only when asked: a deployment that rewrote it would rotate the key, fire SecretNewVersionCreated and
// show as a change in every what-if. The broker seals with the newest version and still opens entries sealed with
// older enabled versions.
resource tokenCacheKey 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (createTokenCacheKey) {
  parent: vault
  name: 'token-cache-key'
  properties: {
    value: tokenCacheKeySeed
    contentType: 'TokenBroker token cache key seed'
    attributes: {
      enabled: true
      exp: tokenCacheKeyExpiresOn
    }
  }
}

@description('Name of the vault.')
output name string = vault.name

@description('Resource id of the vault.')
output id string = vault.id

@description('Vault URI, with a trailing slash.')
output uri string = vault.properties.vaultUri
