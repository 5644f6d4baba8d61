// cmk-rotator: Function App (Elastic Premium, Durable Functions), its storage, Application Insights, a
// user-assigned managed identity with least-privilege role assignments, and the Key Vault Event Grid wiring.
// Deploy at resource-group scope; nothing here is assigned at subscription scope.

@description('Prefix of every resource name (lowercase letters and digits, 3-11 characters).')
@minLength(3)
@maxLength(11)
param namePrefix string

@description('Region of the app, its storage and monitoring.')
param location string = resourceGroup().location

@description('Vaults whose keys the service rotates and revokes: { name, resourceGroup }. Becomes CMK_ALLOWED_VAULTS.')
param allowedVaults array

@description('Storage accounts bound to those keys, whose encryption key version the service writes: { name, resourceGroup }.')
param boundStorageAccounts array = []

@description('Power Platform enterprise policies bound to those keys, which the service updates: { name, resourceGroup }.')
param enterprisePolicies array = []

@description('Vault that holds the revocation secret (the webhook HMAC key): { name, resourceGroup }.')
param revocationSecretVault object

@description('Name of the revocation secret in that vault (at least 32 characters). Referenced, never copied.')
param revocationSecretName string = 'cmk-revocation-secret'

@description('NCRONTAB (6 fields) of the scheduled sweep.')
param sweepSchedule string = '0 0 */6 * * *'

@description('Optional Event Grid topic that receives one outcome event per rotation and revocation: its endpoint.')
param notifyTopicEndpoint string = ''

@description('Resource id of that topic; the identity gets EventGrid Data Sender on it (no access key stored).')
param notifyTopicResourceId string = ''

@description('Create the Event Grid subscriptions. Leave false on the first deployment: Event Grid validates the endpoint, so the code must be deployed first.')
param subscribeToVaultEvents bool = false

var suffix = uniqueString(resourceGroup().id, namePrefix)
var functionAppName = '${namePrefix}-func-${suffix}'
var storageAccountName = take('${namePrefix}st${suffix}', 24)
var deadLetterContainerName = 'eventgrid-deadletter'

// Role definition ids (built-in roles, https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
var eventGridDataSenderRoleId = 'd5a91429-5739-47e2-a06b-3470a27159e7'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${namePrefix}-id-${suffix}'
  location: location
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deadLetterContainerName
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${namePrefix}-log-${suffix}'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${namePrefix}-ai-${suffix}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
  }
}

// Elastic Premium: Durable Functions, always-ready instances, no cold start for the revocation webhook.
resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${namePrefix}-plan-${suffix}'
  location: location
  sku: { name: 'EP1', tier: 'ElasticPremium' }
  kind: 'elastic'
  properties: {
    reserved: true
    maximumElasticWorkerCount: 5
  }
}

// Only the Elastic Premium content share (Azure Files) still takes a key: WEBSITE_CONTENTAZUREFILECONNECTIONSTRING
// has no identity-based form. Host storage, the task hub and the app's tables use the identity.
var contentShareConnectionString = 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
var revocationSecretUri = 'https://${revocationSecretVault.name}${environment().suffixes.keyvaultDns}/secrets/${revocationSecretName}/'

resource functionApp 'Microsoft.Web/sites@2023-12-01' = {
  name: functionAppName
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  // The host reaches its storage with the identity: start it once the storage roles exist.
  dependsOn: [appStorageAccess]
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the user-assigned identity, not a system-assigned one.
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'Node|22'
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'node' }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsights.properties.ConnectionString }
        { name: 'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING', value: contentShareConnectionString }
        { name: 'WEBSITE_CONTENTSHARE', value: toLower(functionAppName) }
        // Host storage, the Durable task hub and the app's tables (bindings, audit, replay guard), with the identity.
        { name: 'AzureWebJobsStorage__accountName', value: storage.name }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identity.properties.clientId }
        { name: 'CMK_ALLOWED_VAULTS', value: join(map(allowedVaults, vault => vault.name), ',') }
        { name: 'CMK_ARM_ENDPOINT', value: environment().resourceManager }
        { name: 'CMK_POWER_PLATFORM_ENDPOINT', value: 'https://api.bap.microsoft.com' }
        { name: 'CMK_REVOCATION_SECRET', value: '@Microsoft.KeyVault(SecretUri=${revocationSecretUri})' }
        { name: 'CMK_SWEEP_SCHEDULE', value: sweepSchedule }
        { name: 'CMK_NOTIFY_TOPIC_ENDPOINT', value: notifyTopicEndpoint }
        // Empty: the identity authenticates to the topic (EventGrid Data Sender), so no key is stored.
        { name: 'CMK_NOTIFY_TOPIC_KEY', value: '' }
        { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
      ]
    }
  }
}

// Blob Data Owner, Queue Data Contributor and Table Data Contributor on the app's storage account only.
module appStorageAccess 'modules/appStorageAccess.bicep' = {
  name: 'app-storage-access'
  params: {
    storageAccountName: storage.name
    principalId: identity.properties.principalId
  }
}

// Crypto Officer on each allow-listed vault, and (once the code is deployed) its Event Grid subscription.
module vaultAccess 'modules/vaultAccess.bicep' = [
  for vault in allowedVaults: {
    name: 'vault-${vault.name}'
    scope: resourceGroup(vault.resourceGroup)
    params: {
      vaultName: vault.name
      principalId: identity.properties.principalId
      functionAppId: functionApp.id
      deadLetterStorageAccountId: storage.id
      deadLetterContainerName: deadLetterContainerName
      subscribeToVaultEvents: subscribeToVaultEvents
    }
  }
]

// Read + write of exactly the bound storage accounts and enterprise policies (no delete, no other resource).
module consumerAccess 'modules/consumerAccess.bicep' = {
  name: 'consumer-access'
  params: {
    principalId: identity.properties.principalId
    boundStorageAccounts: boundStorageAccounts
    enterprisePolicies: enterprisePolicies
    roleNameSuffix: suffix
  }
}

module revocationSecretAccess 'modules/secretReader.bicep' = {
  name: 'revocation-secret-access'
  scope: resourceGroup(revocationSecretVault.resourceGroup)
  params: {
    vaultName: revocationSecretVault.name
    secretName: revocationSecretName
    principalId: identity.properties.principalId
    roleDefinitionId: keyVaultSecretsUserRoleId
  }
}

module notifyTopicAccess 'modules/topicSender.bicep' = if (notifyTopicResourceId != '') {
  name: 'notify-topic-access'
  scope: resourceGroup(notifyTopicResourceId != '' ? split(notifyTopicResourceId, '/')[4] : resourceGroup().name)
  params: {
    topicName: notifyTopicResourceId != '' ? last(split(notifyTopicResourceId, '/')) : 'none'
    principalId: identity.properties.principalId
    roleDefinitionId: eventGridDataSenderRoleId
  }
}

output functionAppName string = functionApp.name
output functionAppUrl string = 'https://${functionApp.properties.defaultHostName}'
output identityPrincipalId string = identity.properties.principalId
output identityClientId string = identity.properties.clientId
