// Alert rules on what goes wrong in a broker, and the action group they notify.
//
// The broker's own metrics (src/TokenBroker/Diagnostics/TokenBrokerMetrics.cs, and the credential
// inventory's gauges) are OpenTelemetry instruments exported with the Azure Monitor exporter; custom metrics sent with OpenTelemetry are
// stored in Application Insights' customMetrics table with their tags as customDimensions
// (https://learn.microsoft.com/azure/azure-monitor/metrics/metrics-custom-overview), so those
// rules are log search alerts on the component. Platform metrics (Event Grid, Key Vault) are
// metric alerts; poison messages come from the storage queue logs the diagnostic settings keep.

@description('Required. Prefix of the rule names (e.g. the resource token).')
param namePrefix string

@description('Required. Azure region of the log search alert rules.')
param location string

@description('Optional. Tags for the rules and the action group.')
param tags { *: string } = {}

@description('Required. Resource id of the Application Insights component.')
param applicationInsightsId string

@description('Required. Resource id of the Log Analytics workspace receiving the diagnostic settings.')
param workspaceId string

@description('Required. Resource id of the vault.')
param keyVaultId string

@description('Required. Resource id of the Event Grid system topic.')
param systemTopicId string

@description('Required. Name of the rotation queue\'s poison queue.')
param poisonQueueName string

@description('Optional. Days before expiry that a credential\'s warning alert fires (the broker\'s WarningWindow, 30 days by default).')
@minValue(2)
param credentialWarningWindowDays int = 30

@description('Optional. Days before expiry that a credential\'s critical alert fires (the broker\'s CriticalWindow, 7 days by default).')
@minValue(1)
param credentialCriticalWindowDays int = 7

@description('Optional. E-mail addresses the action group notifies.')
param emailAddresses string[] = []

@secure()
@description('Optional. Webhook the action group calls (its URL may carry a token, hence secure); empty for none.')
param webhookUrl string = ''

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'tokenbroker'
    enabled: true
    emailReceivers: [
      for (address, i) in emailAddresses: {
        name: 'email-${i}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
    webhookReceivers: empty(webhookUrl)
      ? []
      : [
          {
            name: 'webhook'
            serviceUri: webhookUrl
            useCommonAlertSchema: true
          }
        ]
  }
}

// Sum of a broker counter over the window, filtered on one tag; metric names and tag values are
// the ones TokenBrokerMetrics records.
func counterQuery(metric string, tag string, value string) string =>
  'customMetrics | where name == "${metric}" | where tostring(customDimensions["${tag}"]) == "${value}" | extend connection = tostring(customDimensions["connection"]) | summarize Total = sum(valueSum) by connection'

// tokenbroker.credential.expires_in is a gauge: the exporter sends its last value as the data point's value, so the
// newest row per connection is what the broker last reported (seconds left; negative once expired). Each window is
// a band, so a credential is in one alert at a time and the warning resolves when the critical one fires.
func credentialExpiryQuery(fromSeconds int, toSeconds int) string =>
  'customMetrics | where name == "tokenbroker.credential.expires_in" | extend connection = tostring(customDimensions["connection"]) | summarize arg_max(timestamp, value) by connection | project connection, ExpiresIn = value | where ExpiresIn >= ${fromSeconds} and ExpiresIn < ${toSeconds}'

var secondsPerDay = 86400
// Below any credential's remaining lifetime: the critical band has no lower bound.
var alreadyExpired = -1000000000

var credentialAlerts = [
  {
    name: 'credential-expiry-warning'
    displayName: 'TokenBroker: a connection credential expires within ${credentialWarningWindowDays} days'
    description: 'A connection\'s current secret or certificate expires in less than ${credentialWarningWindowDays} days and more than ${credentialCriticalWindowDays} (tokenbroker.credential.expires_in). In automatic rotation the broker renews it before then; otherwise rotate it. See docs/runbook.md, "Credential expiry alerts".'
    severity: 2
    query: credentialExpiryQuery(credentialCriticalWindowDays * secondsPerDay, credentialWarningWindowDays * secondsPerDay)
    measure: 'ExpiresIn'
    dimensions: ['connection']
    aggregation: 'Minimum'
    operator: 'LessThan'
    threshold: credentialWarningWindowDays * secondsPerDay
  }
  {
    name: 'credential-expiry-critical'
    displayName: 'TokenBroker: a connection credential expires within ${credentialCriticalWindowDays} days or has expired'
    description: 'A connection\'s current secret or certificate expires in less than ${credentialCriticalWindowDays} days, or has expired (tokenbroker.credential.expires_in). Token requests fail once it expires. See docs/runbook.md, "Credential expiry alerts".'
    severity: 1
    query: credentialExpiryQuery(alreadyExpired, credentialCriticalWindowDays * secondsPerDay)
    measure: 'ExpiresIn'
    dimensions: ['connection']
    aggregation: 'Minimum'
    operator: 'LessThan'
    threshold: credentialCriticalWindowDays * secondsPerDay
  }
  {
    name: 'credential-problems'
    displayName: 'TokenBroker: a connection credential has a flagged problem'
    description: 'The credential inventory flagged a problem (tokenbroker.credential.problems > 0, by flag): a secret with no expiry, dates that disagree, or a credential at the authorization server with no Key Vault version (or the reverse). See docs/runbook.md, "Credential expiry alerts".'
    severity: 3
    query: 'customMetrics | where name == "tokenbroker.credential.problems" | extend connection = tostring(customDimensions["connection"]), flag = tostring(customDimensions["flag"]) | summarize arg_max(timestamp, value) by connection, flag | project connection, flag, Problems = value | where Problems > 0'
    measure: 'Problems'
    dimensions: ['connection', 'flag']
    aggregation: 'Maximum'
    operator: 'GreaterThan'
    threshold: 0
  }
]

// The inventory moves by the day and the broker reports it every export interval: an hourly look at the last six
// hours finds the newest value even through a quiet spell, and alerts within an hour of a change.
resource credentialAlertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in credentialAlerts: {
    name: 'alert-${namePrefix}-${rule.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [applicationInsightsId]
      evaluationFrequency: 'PT1H'
      windowSize: 'PT6H'
      autoMitigate: true
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: rule.aggregation
            metricMeasureColumn: rule.measure
            dimensions: [
              for dimension in rule.dimensions: {
                name: dimension
                operator: 'Include'
                values: ['*']
              }
            ]
            operator: rule.operator
            threshold: rule.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: [actionGroup.id]
      }
    }
  }
]

var logAlerts = [
  {
    name: 'rejected-token-requests'
    displayName: 'TokenBroker: token requests rejected by an authorization server'
    description: 'An authorization server rejected the broker\'s client credentials (tokenbroker.token_requests, outcome rejected): a secret or certificate is wrong, expired or revoked. See docs/runbook.md.'
    severity: 1
    scope: applicationInsightsId
    query: counterQuery('tokenbroker.token_requests', 'outcome', 'rejected')
    measure: 'Total'
    dimension: 'connection'
  }
  {
    name: 'upstream-unavailable'
    displayName: 'TokenBroker: authorization server unavailable'
    description: 'Token requests to an authorization server failed as unavailable (tokenbroker.token_requests, outcome unavailable): timeouts, 5xx or 429.'
    severity: 2
    scope: applicationInsightsId
    query: counterQuery('tokenbroker.token_requests', 'outcome', 'unavailable')
    measure: 'Total'
    dimension: 'connection'
  }
  {
    name: 'secret-near-expiry'
    displayName: 'TokenBroker: Key Vault secret or certificate near expiry'
    description: 'The broker received a Key Vault SecretNearExpiry or CertificateNearExpiry event (tokenbroker.secret_events, type near_expiry): rotate before it expires.'
    severity: 3
    scope: applicationInsightsId
    query: 'customMetrics | where name == "tokenbroker.secret_events" | where tostring(customDimensions["type"]) == "near_expiry" | extend object = tostring(customDimensions["object"]) | summarize Total = sum(valueSum) by object'
    measure: 'Total'
    dimension: 'object'
  }
  {
    name: 'http-5xx'
    displayName: 'TokenBroker: HTTP 5xx answers'
    description: 'The Function App answered requests with a 5xx status.'
    severity: 2
    scope: applicationInsightsId
    query: 'requests | where toint(resultCode) >= 500 | summarize Total = count() by operation_Name'
    measure: 'Total'
    dimension: 'operation_Name'
  }
  {
    name: 'poison-rotation-events'
    displayName: 'TokenBroker: rotation events moved to the poison queue'
    description: 'The SecretRotationEvents function failed a Key Vault event five times and the runtime moved it to ${poisonQueueName}. See docs/runbook.md, "Event delivery".'
    severity: 2
    scope: workspaceId
    query: 'StorageQueueLogs | where OperationName == "PutMessage" | where ObjectKey contains "/${poisonQueueName}" | summarize Total = count()'
    measure: 'Total'
    dimension: ''
  }
]

resource logSearchAlerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in logAlerts: {
    name: 'alert-${namePrefix}-${rule.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [rule.scope]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT15M'
      autoMitigate: true
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Total'
            metricMeasureColumn: rule.measure
            dimensions: empty(rule.dimension)
              ? []
              : [
                  {
                    name: rule.dimension
                    operator: 'Include'
                    values: ['*']
                  }
                ]
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: [actionGroup.id]
      }
    }
  }
]

var metricAlerts = [
  {
    name: 'event-delivery-failures'
    description: 'Event Grid failed to deliver Key Vault events to the rotation queue (DeliveryAttemptFailCount); rotations are delayed until it succeeds.'
    severity: 2
    scope: systemTopicId
    namespace: 'Microsoft.EventGrid/systemTopics'
    metric: 'DeliveryAttemptFailCount'
    dimensions: []
  }
  {
    name: 'event-dead-letters'
    description: 'Event Grid gave up on Key Vault events and dead-lettered them (DeadLetteredCount).'
    severity: 2
    scope: systemTopicId
    namespace: 'Microsoft.EventGrid/systemTopics'
    metric: 'DeadLetteredCount'
    dimensions: []
  }
  {
    name: 'event-drops'
    description: 'Event Grid dropped Key Vault events it could not deliver or dead-letter (DroppedEventCount).'
    severity: 2
    scope: systemTopicId
    namespace: 'Microsoft.EventGrid/systemTopics'
    metric: 'DroppedEventCount'
    dimensions: []
  }
  {
    name: 'key-vault-throttling'
    description: 'Key Vault throttled requests (ServiceApiResult with status 429); the broker serves its cached secrets meanwhile.'
    severity: 2
    scope: keyVaultId
    namespace: 'Microsoft.KeyVault/vaults'
    metric: 'ServiceApiResult'
    dimensions: [
      {
        name: 'StatusCode'
        operator: 'Include'
        values: ['429']
      }
    ]
  }
]

resource platformAlerts 'Microsoft.Insights/metricAlerts@2018-03-01' = [
  for rule in metricAlerts: {
    name: 'alert-${namePrefix}-${rule.name}'
    location: 'global'
    tags: tags
    properties: {
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [rule.scope]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT15M'
      autoMitigate: true
      criteria: {
        'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion'
            name: rule.metric
            metricNamespace: rule.namespace
            metricName: rule.metric
            dimensions: rule.dimensions
            operator: 'GreaterThan'
            threshold: 0
            timeAggregation: 'Total'
          }
        ]
      }
      actions: [
        {
          actionGroupId: actionGroup.id
        }
      ]
    }
  }
]

@description('Resource id of the action group.')
output actionGroupId string = actionGroup.id
