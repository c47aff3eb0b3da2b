// Every shape of connection name the broker accepts ([A-Za-z0-9][A-Za-z0-9_-]{0,63}): hyphens,
// a leading digit, underscores, mixed case, one character and 64 characters. Each must become
// app setting names App Service accepts.
using '../../../infra/main.bicep'

param environmentName = 'infra-tests-names'

param connections = [
  {
    name: 'payments-eu'
    tokenEndpoint: 'https://auth.payments.example/oauth2/token'
    clientId: 'broker-payments-eu'
    secretName: 'payments-eu-client-secret'
    scopes: 'payments.read'
  }
  {
    name: '1ledger'
    tokenEndpoint: 'https://auth.ledger.example/connect/token'
    clientId: 'broker-ledger'
    secretName: 'ledger-client-secret'
    scopes: 'ledger.read'
  }
  {
    name: 'crm_v2_emea'
    tokenEndpoint: 'https://auth.crm.example/token'
    clientId: 'broker-crm'
    secretName: 'crm-client-secret'
    scopes: 'crm.read'
  }
  {
    name: 'Hr-Core_9-x'
    tokenEndpoint: 'https://auth.hr.example/token'
    clientId: 'broker-hr'
    secretName: 'hr-client-secret'
    scopes: 'hr.read'
  }
  {
    name: 'q'
    tokenEndpoint: 'https://auth.q.example/token'
    clientId: 'broker-q'
    secretName: 'q-client-secret'
    scopes: 'q.read'
  }
  {
    name: 'a123456789-123456789-123456789-123456789-123456789-123456789-123'
    tokenEndpoint: 'https://auth.long.example/token'
    clientId: 'broker-long'
    secretName: 'long-client-secret'
    scopes: 'long.read'
  }
]

param callerAudience = 'api://tokenbroker'
param accessRules = [
  {
    appId: '55555555-5555-5555-5555-555555555555'
    connections: {
      'payments-eu': 'payments.read'
      '1ledger': '*'
    }
  }
]
