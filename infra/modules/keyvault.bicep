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

@description('Name of the vault.')
output name string = vault.name

@description('Resource id of the vault.')
output id string = vault.id

@description('Vault URI, with a trailing slash.')
output uri string = vault.properties.vaultUri
