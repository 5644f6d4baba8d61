// One allow-listed vault's Event Grid wiring: its system topic (new, or the one it already has: a vault
// allows one) and a subscription to the keyVaultEvents function for the three key events, dead-lettered
// to blob storage with Event Grid's own identity.

param vaultName string
param vaultResourceGroup string
@description('Name of the vault\'s existing system topic in this resource group; empty = create one. An existing topic must carry eventGridIdentityId as a user-assigned identity.')
param existingSystemTopicName string
param functionAppId string
param eventGridIdentityId string
param deadLetterStorageAccountId string
param deadLetterContainerName string
param subscriptionName string

var isNewTopic = empty(existingSystemTopicName)
var systemTopicName = isNewTopic ? '${vaultName}-events' : existingSystemTopicName

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
  scope: resourceGroup(vaultResourceGroup)
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = if (isNewTopic) {
  name: systemTopicName
  location: vault.location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${eventGridIdentityId}': {} }
  }
  properties: {
    source: vault.id
    topicType: 'Microsoft.KeyVault.vaults'
  }
}

resource keyEvents 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  name: '${systemTopicName}/${subscriptionName}'
  dependsOn: [systemTopic]
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/keyVaultEvents'
        maxEventsPerBatch: 1
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.KeyVault.KeyNearExpiry'
        'Microsoft.KeyVault.KeyNewVersionCreated'
        'Microsoft.KeyVault.KeyExpired'
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    // With the topic's user-assigned identity (Storage Blob Data Contributor on the container): no key.
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'UserAssigned'
        userAssignedIdentity: eventGridIdentityId
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: deadLetterStorageAccountId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}
