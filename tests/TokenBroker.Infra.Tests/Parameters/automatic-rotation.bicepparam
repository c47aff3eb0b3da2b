// Entra ID connections in automatic rotation beside one in manual mode: the broker may write exactly the rotating
// secrets, and its lifecycle settings reach the app settings.
using '../../../infra/main.bicep'

param environmentName = 'infra-tests'

param connections = [
  {
    name: 'payments-eu'
    tokenEndpoint: 'https://login.microsoftonline.com/22222222-2222-2222-2222-222222222222/oauth2/v2.0/token'
    clientId: '44444444-4444-4444-4444-444444444444'
    secretName: 'payments-eu-client-secret'
    scopes: 'api://payments/.default'
    lifecycle: {
      rotation: 'Automatic'
      lifetime: '90.00:00:00'
      renewBefore: '20.00:00:00'
      grace: '02:00:00'
    }
  }
  {
    name: 'crm'
    tokenEndpoint: 'https://login.microsoftonline.com/22222222-2222-2222-2222-222222222222/oauth2/v2.0/token'
    clientId: '55555555-5555-5555-5555-555555555555'
    secretName: 'crm-client-secret'
    scopes: 'api://crm/.default'
    authMethod: 'client_secret_post'
    lifecycle: {
      directory: 'EntraId'
      rotation: 'Automatic'
    }
  }
  {
    // Shares crm's secret: one assignment for both.
    name: 'crm-eu'
    tokenEndpoint: 'https://login.microsoftonline.com/22222222-2222-2222-2222-222222222222/oauth2/v2.0/token'
    clientId: '55555555-5555-5555-5555-555555555555'
    secretName: 'crm-client-secret'
    scopes: 'api://crm-eu/.default'
    lifecycle: {
      rotation: 'Automatic'
    }
  }
  {
    name: 'ledger'
    tokenEndpoint: 'https://login.microsoftonline.com/22222222-2222-2222-2222-222222222222/oauth2/v2.0/token'
    clientId: '66666666-6666-6666-6666-666666666666'
    certificateName: 'ledger-signing-cert'
    scopes: 'api://ledger/.default'
    authMethod: 'private_key_jwt'
    lifecycle: {
      rotation: 'Automatic'
    }
  }
  {
    name: 'hr'
    tokenEndpoint: 'https://login.microsoftonline.com/22222222-2222-2222-2222-222222222222/oauth2/v2.0/token'
    clientId: '77777777-7777-7777-7777-777777777777'
    secretName: 'hr-client-secret'
    scopes: 'api://hr/.default'
    lifecycle: {
      rotation: 'Manual'
    }
  }
  {
    name: 'partner'
    tokenEndpoint: 'https://auth.partner.example/oauth2/token'
    clientId: 'broker-partner'
    secretName: 'partner-client-secret'
    scopes: 'partner.read'
    lifecycle: {
      directory: 'None'
    }
  }
]

param grantDeployerAccess = false

param credentialWarningWindowDays = 21

param credentialCriticalWindowDays = 5
