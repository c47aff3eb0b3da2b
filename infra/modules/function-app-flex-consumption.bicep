// Flex Consumption (FC1) plan and the Function App on it: Linux, .NET 10 isolated, scale
// capped, code pulled from a blob container with the app's user-assigned identity.

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

@description('Required. URL of the blob container holding the deployment package.')
param deploymentContainerUrl string

@description('Required. Most instances the app may scale out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Required. Memory of one instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int

@description('Required. Concurrent HTTP requests one instance takes before the platform adds another.')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int

@description('Optional. Subnet (delegated to Microsoft.App/environments) for outbound VNet integration; empty for none.')
param virtualNetworkSubnetId string = ''

@description('Optional. Always-ready instances of the http scale group (every HTTP function of the app shares it).')
@minValue(0)
@maxValue(100)
param alwaysReadyInstances int = 0

@description('Optional. Spread the plan\'s instances over availability zones.')
param zoneRedundant bool = false

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
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
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        // Flex Consumption scales per function group: the HTTP functions (Token, Health, the ops
        // endpoints) share "http"; the timer and the queue trigger each scale on their own.
        alwaysReady: alwaysReadyInstances == 0 ? [] : [{ name: 'http', instanceCount: alwaysReadyInstances }]
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

@description('Name of the Function App.')
output name string = site.name

@description('Resource id of the plan.')
output planId string = plan.id
