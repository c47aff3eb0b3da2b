// Fallback: Elastic Premium plan and a Linux Function App on it, for regions or needs Flex
// Consumption does not meet. Same security settings; scale capped by the plan and the app.
// Azure Files content shares need a storage key, so there is none: the app runs from a
// package blob it reads with its user-assigned identity (WEBSITE_RUN_FROM_PACKAGE URL).

import { identityReference } from 'types.bicep'

@description('Required. Function App name.')
param name string

@description('Required. Plan name.')
param planName string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for the plan and the app.')
param tags { *: string } = {}

@description('Required. The broker\'s user-assigned identity.')
param identity identityReference

@description('Required. Elastic Premium size.')
@allowed(['EP1', 'EP2', 'EP3'])
param skuName string

@description('Required. Most instances the app may scale out to (Elastic Premium allows at most 100).')
@minValue(1)
@maxValue(100)
param maximumInstanceCount int

@description('Optional. Subnet (delegated to Microsoft.Web/serverFarms) for outbound VNet integration; empty for none.')
param virtualNetworkSubnetId string = ''

@description('Optional. Instances always running (Elastic Premium keeps at least one, and at most 20 warm).')
@minValue(1)
@maxValue(20)
param alwaysReadyInstances int = 1

@description('Optional. Spread the plan\'s instances over availability zones (Elastic Premium then runs at least three).')
param zoneRedundant bool = false

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'elastic'
  sku: {
    name: skuName
    tier: 'ElasticPremium'
    capacity: zoneRedundant ? max(3, alwaysReadyInstances) : alwaysReadyInstances
  }
  properties: {
    reserved: true
    maximumElasticWorkerCount: maximumInstanceCount
    zoneRedundant: zoneRedundant
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identity.id
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      linuxFxVersion: 'DOTNET-ISOLATED|10.0'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      functionAppScaleLimit: maximumInstanceCount
      minimumElasticInstanceCount: alwaysReadyInstances
    }
  }
}

@description('Name of the Function App.')
output name string = site.name

@description('Resource id of the plan.')
output planId string = plan.id
