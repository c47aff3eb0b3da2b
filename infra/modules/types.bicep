// Types shared by main.bicep and the modules.

@export()
@description('How the broker authenticates to a connection\'s authorization server.')
type authMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'managed_identity_federation'

@export()
@description('One OAuth 2.0 client-credentials connection. Each becomes one set of TokenBroker__Connections__{key}__* app settings, where the key is the name with \'_\' for \'-\' (app setting names cannot hold \'-\') and __Name carries a name that differs from its key.')
type brokerConnection = {
  @description('Required. Connection name as callers use it in api/token/{connection}: letters, digits, \'-\' and \'_\', starting with a letter or digit; unique ignoring case and \'-\'/\'_\'.')
  @minLength(1)
  @maxLength(64)
  name: string

  @description('Required. Absolute https URL of the authorization server\'s token endpoint.')
  @minLength(9)
  tokenEndpoint: string

  @description('Required. Client id registered at the authorization server.')
  @minLength(1)
  clientId: string

  @description('Optional. Name of the Key Vault secret that holds the client secret; required for client_secret_basic and client_secret_post.')
  @minLength(1)
  @maxLength(127)
  secretName: string?

  @description('Optional. private_key_jwt: name of the Key Vault certificate whose key signs the client assertions.')
  @minLength(1)
  @maxLength(127)
  certificateName: string?

  @description('Optional. private_key_jwt: RS256 (the broker\'s default) or PS256.')
  signingAlgorithm: ('RS256' | 'PS256')?

  @description('Optional. private_key_jwt: the authorization server\'s issuer, for servers following draft-ietf-oauth-rfc7523bis (aud = issuer).')
  assertionAudience: string?

  @description('Optional. managed_identity_federation: audience of the managed identity token; the broker defaults to api://AzureADTokenExchange.')
  federationAudience: string?

  @description('Required. Scopes requested by default, space-separated.')
  scopes: string

  @description('Optional. Scopes a caller may ask for, space-separated; omitted means only the default scopes.')
  allowedScopes: string?

  @description('Optional. Client authentication method; the broker defaults to client_secret_basic.')
  authMethod: authMethod?

  @description('Optional. How the broker manages the connection\'s credential (TokenBroker:Connections:{key}:Lifecycle); omitted keeps the broker\'s defaults (manual rotation).')
  lifecycle: connectionLifecycle?
}

@export()
@description('A connection\'s credential lifecycle. Durations are .NET TimeSpan strings (\'180.00:00:00\' is 180 days).')
type connectionLifecycle = {
  @description('Optional. EntraId when the client id is an Entra ID app registration the broker reads (and, in automatic mode, manages) through Microsoft Graph; None otherwise. The broker defaults to EntraId for an Entra ID login host.')
  directory: ('EntraId' | 'None')?

  @description('Optional. Manual (the broker\'s default) or Automatic: the broker rotates the credential itself. Automatic needs directory EntraId and a secret or certificate method; for a secret it also gets Key Vault Secrets Officer on that one secret, which must already exist.')
  rotation: ('Manual' | 'Automatic')?

  @description('Optional. Lifetime of a credential the broker creates (the broker defaults to 180 days).')
  lifetime: string?

  @description('Optional. How long before expiry the broker starts a rotation (default 30 days).')
  renewBefore: string?

  @description('Optional. How long the old credential stays valid after the new one is in use (default 1 day).')
  grace: string?
}

@export()
@description('Hosting plan of the Function App.')
type hostingPlan = 'FlexConsumption' | 'ElasticPremium'

@export()
@description('A user-assigned managed identity as the other modules need it.')
type identityReference = {
  @description('Resource id of the identity.')
  id: string

  @description('Client (application) id of the identity.')
  clientId: string

  @description('Object id of the identity\'s service principal.')
  principalId: string
}

@export()
@description('A caller of the broker and what it may obtain (TokenBroker:Access:Rules). Name the caller by exactly one of appId, objectId or role.')
type accessRule = {
  @description('Optional. The calling application\'s client id (azp/appid).')
  appId: string?

  @description('Optional. The calling identity\'s object id (oid), e.g. a managed identity.')
  objectId: string?

  @description('Optional. An app role of the broker\'s app registration granted to the caller.')
  role: string?

  @description('Required. Connection name to the space-separated scopes the caller may obtain, or * for all the connection allows.')
  connections: {
    *: string
  }
}
