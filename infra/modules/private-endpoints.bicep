// Private endpoints for the storage account's blob, queue and table services and for the
// vault, each registered in its privatelink DNS zone: a zone given by resource id (usually a
// landing zone's, already linked to the hub), or one created here and linked to the
// endpoints' virtual network.

@description('Required. Azure region of the endpoints.')
param location string

@description('Optional. Tags for what is created.')
param tags { *: string } = {}

@description('Required. Subnet the private endpoints are placed in.')
param subnetId string

@description('Required. Storage account the blob, queue and table endpoints connect to.')
param storageAccountName string

@description('Required. Vault the vault endpoint connects to.')
param keyVaultName string

@description('Optional. Existing private DNS zones by service (blob, queue, table, vault); a service missing here gets a zone created in this resource group.')
param privateDnsZoneIds { blob: string?, queue: string?, table: string?, vault: string? } = {}

// Zone names follow the cloud the deployment runs in: blob.core.windows.net in public Azure.
var endpoints = [
  {
    service: 'blob'
    groupId: 'blob'
    zoneName: 'privatelink.blob.${environment().suffixes.storage}'
    zoneId: privateDnsZoneIds.?blob ?? ''
  }
  {
    service: 'queue'
    groupId: 'queue'
    zoneName: 'privatelink.queue.${environment().suffixes.storage}'
    zoneId: privateDnsZoneIds.?queue ?? ''
  }
  {
    service: 'table'
    groupId: 'table'
    zoneName: 'privatelink.table.${environment().suffixes.storage}'
    zoneId: privateDnsZoneIds.?table ?? ''
  }
  {
    service: 'vault'
    groupId: 'vault'
    // keyvaultDns is ".vault.azure.net" in public Azure; the private link zone is privatelink.vaultcore.azure.net.
    zoneName: 'privatelink${replace(environment().suffixes.keyvaultDns, '.vault.', '.vaultcore.')}'
    zoneId: privateDnsZoneIds.?vault ?? ''
  }
]

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

// /subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Network/virtualNetworks/{v}/subnets/{n}
var subnetSegments = split(subnetId, '/')
var virtualNetworkId = resourceId(subnetSegments[2], subnetSegments[4], 'Microsoft.Network/virtualNetworks', subnetSegments[8])

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for endpoint in endpoints: if (empty(endpoint.zoneId)) {
    name: endpoint.zoneName
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (endpoint, i) in endpoints: if (empty(endpoint.zoneId)) {
    parent: zones[i]
    name: 'link-${uniqueString(virtualNetworkId)}'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: virtualNetworkId
      }
    }
  }
]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2024-07-01' = [
  for endpoint in endpoints: {
    name: 'pe-${endpoint.service}-${endpoint.service == 'vault' ? keyVaultName : storageAccountName}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: subnetId
      }
      privateLinkServiceConnections: [
        {
          name: endpoint.service
          properties: {
            privateLinkServiceId: endpoint.service == 'vault' ? vault.id : storage.id
            groupIds: [endpoint.groupId]
          }
        }
      ]
    }
  }
]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-07-01' = [
  for (endpoint, i) in endpoints: {
    parent: privateEndpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: replace(endpoint.zoneName, '.', '-')
          properties: {
            privateDnsZoneId: empty(endpoint.zoneId) ? zones[i].id : endpoint.zoneId
          }
        }
      ]
    }
  }
]

@description('Resource ids of the private endpoints.')
output privateEndpointIds string[] = [for i in range(0, length(endpoints)): privateEndpoints[i].id]
