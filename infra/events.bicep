// The vaults' Event Grid subscriptions to the deployed app. A template of its own, deployed after the code
// (Event Grid validates the endpoint, so the function must exist): it references the site as `existing`,
// so deploying it never touches the app's settings or code. Parameters come from main.bicep's
// `eventsParameters` output (infra/deploy.sh passes them).

@description('The function app main.bicep deployed (output functionAppName).')
param functionAppName string

@description('The allow-listed vaults: { name, resourceGroup, existingSystemTopic?: { name, resourceGroup } }. A vault has at most one system topic: name it when it exists.')
param allowedVaults array

@description('Resource id of the user-assigned identity Event Grid dead-letters with (output eventGridIdentityId).')
param eventGridIdentityId string

@description('The app storage account that holds the dead-letter container.')
param deadLetterStorageAccountName string

@description('The dead-letter blob container.')
param deadLetterContainerName string

@description('The suffix main.bicep derived (names the subscriptions and deployments of this instance).')
param nameSuffix string

resource functionApp 'Microsoft.Web/sites@2023-12-01' existing = {
  name: functionAppName
}

resource deadLetterStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: deadLetterStorageAccountName
}

module vaultEvents 'modules/vaultEvents.bicep' = [
  for vault in allowedVaults: {
    name: take('vault-events-${vault.name}-${nameSuffix}', 64)
    // The subscription is a child of the system topic: deploy where the topic lives.
    scope: resourceGroup(contains(vault, 'existingSystemTopic') ? vault.existingSystemTopic.resourceGroup : vault.resourceGroup)
    params: {
      vaultName: vault.name
      vaultResourceGroup: vault.resourceGroup
      existingSystemTopicName: contains(vault, 'existingSystemTopic') ? vault.existingSystemTopic.name : ''
      functionAppId: functionApp.id
      eventGridIdentityId: eventGridIdentityId
      deadLetterStorageAccountId: deadLetterStorage.id
      deadLetterContainerName: deadLetterContainerName
      subscriptionName: 'cmk-rotator-${nameSuffix}'
    }
  }
]
