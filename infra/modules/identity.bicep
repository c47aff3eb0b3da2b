// One user-assigned managed identity.

import { identityReference } from 'types.bicep'

@description('Required. Name of the identity.')
param name string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for the identity.')
param tags { *: string } = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id, client id and principal id of the identity.')
output identity identityReference = {
  id: identity.id
  clientId: identity.properties.clientId
  principalId: identity.properties.principalId
}

@description('Name of the identity.')
output name string = identity.name
