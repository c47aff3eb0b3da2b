// An Azure Monitor workbook over the broker's Application Insights data: cache hit ratio and
// token requests per connection, refresh outcomes, time left on served tokens, errors, and the
// runbook's queries. The metrics are the broker's OpenTelemetry instruments (customMetrics).

@description('Required. Seed of the workbook\'s resource name (a GUID derived from it).')
param namePrefix string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for the workbook.')
param tags { *: string } = {}

@description('Required. Resource id of the Application Insights component the queries run on.')
param applicationInsightsId string

func connectionCounter(metric string, tag string) string =>
  'customMetrics | where name == "${metric}" | extend connection = tostring(customDimensions["connection"]), ${tag} = tostring(customDimensions["${tag}"]) | summarize total = sum(valueSum) by bin(timestamp, 5m), connection, ${tag}'

type kqlItem = {
  type: int
  name: string
  content: {
    version: string
    title: string
    query: string
    size: int
    timeContext: { durationMs: int }
    queryType: int
    resourceType: string
    visualization: string
  }
}

func query(title string, kql string, visualization string) kqlItem => {
  type: 3
  name: title
  content: {
    version: 'KqlItem/1.0'
    title: title
    query: kql
    size: 0
    timeContext: {
      durationMs: 86400000
    }
    queryType: 0
    resourceType: 'microsoft.insights/components'
    visualization: visualization
  }
}

var items = [
  {
    type: 1
    name: 'introduction'
    content: {
      json: '## TokenBroker\nCache, token requests and refreshes per connection over the last 24 hours. What to do about what you see: docs/runbook.md.'
    }
  }
  query(
    'Cache hit ratio per connection',
    'let hits = customMetrics | where name == "tokenbroker.cache_hits" | extend connection = tostring(customDimensions["connection"]) | summarize hits = sum(valueSum) by connection; let misses = customMetrics | where name == "tokenbroker.cache_misses" | extend connection = tostring(customDimensions["connection"]) | summarize misses = sum(valueSum) by connection; hits | join kind=fullouter misses on connection | project connection = coalesce(connection, connection1), hits = coalesce(hits, 0.0), misses = coalesce(misses, 0.0) | extend hitRatioPercent = round(100.0 * hits / max_of(hits + misses, 1.0), 1) | order by hitRatioPercent asc',
    'table'
  )
  query('Token requests by connection and outcome', connectionCounter('tokenbroker.token_requests', 'outcome'), 'timechart')
  query('Proactive refreshes by outcome', connectionCounter('tokenbroker.refreshes', 'outcome'), 'timechart')
  query(
    'Time left on the soonest-expiring token served (seconds)',
    'customMetrics | where name == "tokenbroker.token.time_left" | extend connection = tostring(customDimensions["connection"]) | summarize secondsLeft = min(valueMin) by bin(timestamp, 5m), connection',
    'timechart'
  )
  query(
    'Secret and certificate reloads by outcome',
    'customMetrics | where name in ("tokenbroker.secret_reloads", "tokenbroker.certificate_reloads") | extend outcome = tostring(customDimensions["outcome"]) | summarize total = sum(valueSum) by bin(timestamp, 5m), name, outcome',
    'timechart'
  )
  query(
    'Errors: exceptions and error logs',
    'union (exceptions | project timestamp, kind = "exception", detail = type, operation_Name), (traces | where severityLevel >= 3 | project timestamp, kind = "log", detail = tostring(customDimensions["EventId"]), operation_Name) | summarize count() by bin(timestamp, 15m), kind, detail',
    'timechart'
  )
  query(
    'Runbook: did the rotation event arrive?',
    'requests | where operation_Name == "SecretRotationEvents" | project timestamp, success, resultCode, duration, cloud_RoleInstance | order by timestamp desc',
    'table'
  )
  query(
    'Runbook: which secret version is loaded, per instance',
    'traces | where message startswith "Loaded secret" | project timestamp, cloud_RoleInstance, message | order by timestamp desc',
    'table'
  )
  query(
    'Runbook: rejections per connection',
    'customMetrics | where name == "tokenbroker.token_requests" | where tostring(customDimensions["outcome"]) == "rejected" | summarize rejected = sum(valueSum) by bin(timestamp, 1m), connection = tostring(customDimensions["connection"])',
    'timechart'
  )
]

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, 'tokenbroker-workbook', namePrefix)
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'TokenBroker (${namePrefix})'
    category: 'workbook'
    sourceId: applicationInsightsId
    serializedData: string({
      version: 'Notebook/1.0'
      items: items
      fallbackResourceIds: [applicationInsightsId]
    })
  }
}

@description('Resource id of the workbook.')
output id string = workbook.id
