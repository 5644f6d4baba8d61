// EventGrid Data Sender for the app's identity on the outcome notification topic only; its endpoint for the app.

param topicName string
param principalId string
param roleDefinitionId string

resource topic 'Microsoft.EventGrid/topics@2022-06-15' existing = {
  name: topicName
}

resource dataSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, principalId, roleDefinitionId)
  scope: topic
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionId)
  }
}

// Taken from the topic itself, so the endpoint and the role can never name two different topics.
@description('The topic endpoint (CMK_NOTIFY_TOPIC_ENDPOINT).')
output topicEndpoint string = topic.properties.endpoint
