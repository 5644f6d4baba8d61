// One allow-listed vault: Key Vault Crypto Officer for the app's identity on that vault only, and the
// vault's Event Grid system topic subscribed to the app for the three key events, with dead-lettering.

param vaultName string
param principalId string
param functionAppId string
param deadLetterStorageAccountId string
param deadLetterContainerName string
param subscribeToVaultEvents bool

// Key Vault Crypto Officer: create/rotate keys, enable/disable versions, rotation policies (RBAC vaults).
var keyVaultCryptoOfficerRoleId = '14b46e9e-c2b7-41b4-b07b-48a6ebf60603'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

resource cryptoOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, keyVaultCryptoOfficerRoleId)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultCryptoOfficerRoleId)
  }
}

// A vault can have one system topic; if one exists already, subscribe on it instead (see infra/README.md).
resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = if (subscribeToVaultEvents) {
  name: '${vaultName}-events'
  location: vault.location
  properties: {
    source: vault.id
    topicType: 'Microsoft.KeyVault.vaults'
  }
}

resource keyEvents 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = if (subscribeToVaultEvents) {
  parent: systemTopic
  name: 'cmk-rotator'
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
    deadLetterDestination: {
      endpointType: 'StorageBlob'
      properties: {
        resourceId: deadLetterStorageAccountId
        blobContainerName: deadLetterContainerName
      }
    }
  }
}
