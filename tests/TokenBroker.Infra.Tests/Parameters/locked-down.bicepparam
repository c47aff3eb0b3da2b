// Every optional protection on: App Service Authentication, Key Vault and storage firewalls,
// private endpoints (one DNS zone given, the others created), VNet integration, Event Grid
// dead-lettering, a vault operator group, zone redundancy, warm instances, alert receivers.
using '../../../infra/main.bicep'

param environmentName = 'infra-tests-locked'

param connections = [
  {
    name: 'payments'
    tokenEndpoint: 'https://auth.payments.example/oauth2/token'
    clientId: 'broker-payments'
    secretName: 'payments-client-secret'
    scopes: 'payments.read'
  }
]

param enableAppServiceAuthentication = true
param callerAudience = 'api://tokenbroker'
param callerAppClientId = '44444444-4444-4444-4444-444444444444'
param allowedCallerApplicationIds = [
  '55555555-5555-5555-5555-555555555555'
]
param accessRules = [
  {
    appId: '55555555-5555-5555-5555-555555555555'
    connections: {
      payments: 'payments.read'
    }
  }
  {
    role: 'TokenBroker.Admin'
    connections: {
      payments: '*'
    }
  }
]

param keyVaultPublicNetworkAccess = 'Disabled'
param keyVaultNetworkDefaultAction = 'Deny'
param keyVaultAllowedIpRanges = [
  '203.0.113.0/24'
]
param keyVaultAllowedSubnetIds = [
  '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-broker'
]
param storageNetworkDefaultAction = 'Deny'
param storageAllowedSubnetIds = [
  '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-broker'
]
param virtualNetworkSubnetId = '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-broker'

param enableEventDeadLettering = true
param vaultOperatorPrincipalId = '33333333-3333-3333-3333-333333333333'

param privateEndpointSubnetId = '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-endpoints'
param privateDnsZoneIds = {
  blob: '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net'
}

param zoneRedundant = true
param alwaysReadyInstances = 2
param alertEmailAddresses = [
  'platform-oncall@example.com'
]
