// cmk-rotator: Function App (Elastic Premium, Durable Functions), its storage, Application Insights, a
// user-assigned managed identity with least-privilege role assignments, and the identity Event Grid
// dead-letters with. The vaults' Event Grid subscriptions are in events.bicep, deployed after the code;
// infra/deploy.sh runs every step in order. Deploy at resource-group scope; the custom roles are defined
// at subscription scope (modules/customRoles.bicep) and assigned on single resources.

@description('Prefix of every resource name. Lowercased, with hyphens, underscores, dots and spaces removed; the first 11 characters are used.')
@minLength(3)
@maxLength(40)
param namePrefix string

@description('Region of the app, its storage and monitoring.')
param location string = resourceGroup().location

@description('Vaults whose keys the service rotates and revokes: { name, resourceGroup } (optionally existingSystemTopic, read by events.bicep). Becomes CMK_ALLOWED_VAULTS.')
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

@description('Optional Event Grid topic that receives one outcome event per rotation and revocation: its resource id (any subscription). Its endpoint is read from it; the identity gets EventGrid Data Sender on it.')
param notifyTopicResourceId string = ''

@description('Where discovery searches: subscription ids and mg:<name> management groups. Empty: every subscription the identity can read. The identity gets the discovery reader role on each listed subscription; a management group needs it assigned by hand (infra/README.md).')
param discoveryScopes array = []

@description('Opt-in: let the app change a key to a different one (POST /api/keyChanges). Grants read of vault properties and role assignments on each allow-listed vault, and create and update of enterprise policies in their resource groups (enterprisePolicies\' and keyChangePolicyResourceGroups). Off by default: the policy write is the one grant above a single resource that writes.')
param enableKeyChange bool = false

@description('With enableKeyChange: more existing resource groups (in this subscription) holding enterprise policies whose keys may change, besides those in enterprisePolicies. A key change creates the new key\'s policy in the old policy\'s resource group.')
param keyChangePolicyResourceGroups array = []

@description('With enableKeyChange: how many Power Platform environments a key change moves at once (1 to 5). Each is offline while it moves; 1 moves them one at a time.')
@minValue(1)
@maxValue(5)
param keyChangeParallelEnvironments int = 1

@description('Opt-in: alert rules on the app\'s telemetry (an operation Failed or partially applied; a revocation in effect), routed to alertActionGroupId.')
param deployAlerts bool = false

@description('The action group (resource id) the alert rules notify; required when deployAlerts is true.')
param alertActionGroupId string = ''

@description('Opt-in: put Microsoft Entra ID sign-in (App Service Authentication) in front of the status page (/api/dashboard, /api/overview). Every other route stays reachable with its function key, HMAC signature or system key only.')
param enableAppServiceAuthentication bool = false

@description('With enableAppServiceAuthentication: client id of the Entra ID app registration operators sign in with.')
param authClientId string = ''

@description('With enableAppServiceAuthentication: the Entra ID tenant that signs operators in (default: the subscription\'s).')
param authTenantId string = subscription().tenantId

// Storage account names allow lowercase letters and digits only.
var safePrefix = take(toLower(replace(replace(replace(replace(namePrefix, '-', ''), '_', ''), '.', ''), ' ', '')), 11)
var suffix = uniqueString(resourceGroup().id, safePrefix)
var functionAppName = '${safePrefix}-func-${suffix}'
var storageAccountName = take('${safePrefix}st${suffix}', 24)
var deadLetterContainerName = 'eventgrid-deadletter'
var isNotifyTopicSet = !empty(notifyTopicResourceId)
var discoverySubscriptionIds = filter(discoveryScopes, scope => !startsWith(scope, 'mg:'))
// /subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.EventGrid/topics/{name}
var notifyTopicIdParts = split(notifyTopicResourceId, '/')

// Key change (opt-in): the resource groups where the app may create and update enterprise policies.
var keyChangePolicyGroups = enableKeyChange ? union(map(enterprisePolicies, policy => policy.resourceGroup), keyChangePolicyResourceGroups) : []

// Built-in roles (infra/builtInRoles.json names each).
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
var eventGridDataSenderRoleId = 'd5a91429-5739-47e2-a06b-3470a27159e7'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${safePrefix}-id-${suffix}'
  location: location
}

// Event Grid's own identity: the system topics dead-letter with it (no storage key in the subscription).
resource eventGridIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${safePrefix}-eg-id-${suffix}'
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
  name: '${safePrefix}-log-${suffix}'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${safePrefix}-ai-${suffix}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
  }
}

// Elastic Premium: Durable Functions, always-ready instances, no cold start for the revocation webhook.
resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${safePrefix}-plan-${suffix}'
  location: location
  sku: { name: 'EP1', tier: 'ElasticPremium' }
  kind: 'elastic'
  properties: {
    reserved: true
    maximumElasticWorkerCount: 5
  }
}

// Custom roles, defined once per subscription: key rotator (vaults), consumer key writer, discovery reader,
// and with key changes on, key change policy writer and key change vault reader.
module customRoles 'modules/customRoles.bicep' = {
  name: take('custom-roles-${suffix}', 64)
  scope: subscription()
  params: {
    nameSuffix: suffix
    vaultResourceGroups: union(map(allowedVaults, vault => vault.resourceGroup), [])
    consumerResourceGroups: union(
      map(boundStorageAccounts, account => account.resourceGroup),
      map(enterprisePolicies, policy => policy.resourceGroup)
    )
    discoverySubscriptionIds: discoverySubscriptionIds
    keyChangePolicyResourceGroups: keyChangePolicyGroups
    keyChangeVaultResourceGroups: enableKeyChange ? union(map(allowedVaults, vault => vault.resourceGroup), []) : []
  }
}

// Blob Data Owner, Queue Data Contributor and Table Data Contributor on the app's storage account only.
module appStorageAccess 'modules/appStorageAccess.bicep' = {
  name: take('app-storage-access-${suffix}', 64)
  params: {
    storageAccountName: storage.name
    principalId: identity.properties.principalId
  }
}

// Storage Blob Data Contributor for Event Grid's identity on the dead-letter container only.
module deadLetterAccess 'modules/deadLetterWriter.bicep' = {
  name: take('dead-letter-access-${suffix}', 64)
  params: {
    storageAccountName: storage.name
    containerName: deadLetterContainer.name
    principalId: eventGridIdentity.properties.principalId
  }
}

// The key rotator role on each allow-listed vault (the Event Grid subscriptions are in events.bicep).
module vaultAccess 'modules/vaultAccess.bicep' = [
  for vault in allowedVaults: {
    name: take('vault-${vault.name}-${suffix}', 64)
    scope: resourceGroup(vault.resourceGroup)
    params: {
      vaultName: vault.name
      principalId: identity.properties.principalId
      roleDefinitionId: customRoles.outputs.keyRotatorRoleId
    }
  }
]

// Read + write of exactly the bound storage accounts and enterprise policies (no delete, no other resource).
module consumerAccess 'modules/consumerAccess.bicep' = {
  name: take('consumer-access-${suffix}', 64)
  params: {
    principalId: identity.properties.principalId
    boundStorageAccounts: boundStorageAccounts
    enterprisePolicies: enterprisePolicies
    roleDefinitionId: customRoles.outputs.consumerWriterRoleId
    nameSuffix: suffix
  }
}

// Key change (opt-in): read each allow-listed vault's properties and the role assignments on it (preflight).
module keyChangeVaultAccess 'modules/vaultAccess.bicep' = [
  for vault in allowedVaults: if (enableKeyChange) {
    name: take('key-change-vault-${vault.name}-${suffix}', 64)
    scope: resourceGroup(vault.resourceGroup)
    params: {
      vaultName: vault.name
      principalId: identity.properties.principalId
      roleDefinitionId: customRoles.outputs.keyChangeVaultReaderRoleId
    }
  }
]

// Key change (opt-in): create and update enterprise policies in the resource groups that hold them (no delete).
module keyChangePolicyAccess 'modules/keyChangePolicyWriter.bicep' = [
  for group in keyChangePolicyGroups: {
    name: take('key-change-policies-${suffix}', 64)
    scope: resourceGroup(group)
    params: {
      principalId: identity.properties.principalId
      roleDefinitionId: customRoles.outputs.keyChangePolicyWriterRoleId
    }
  }
]

// Read-only discovery (Resource Graph) of storage accounts and enterprise policies in the listed subscriptions.
module discoveryAccess 'modules/discoveryReader.bicep' = [
  for subscriptionId in discoverySubscriptionIds: {
    name: take('discovery-${subscriptionId}-${suffix}', 64)
    scope: subscription(subscriptionId)
    params: {
      principalId: identity.properties.principalId
      roleDefinitionId: customRoles.outputs.discoveryReaderRoleId
    }
  }
]

module revocationSecretAccess 'modules/secretReader.bicep' = {
  name: take('revocation-secret-access-${suffix}', 64)
  scope: resourceGroup(revocationSecretVault.resourceGroup)
  params: {
    vaultName: revocationSecretVault.name
    secretName: revocationSecretName
    principalId: identity.properties.principalId
    roleDefinitionId: keyVaultSecretsUserRoleId
  }
}

module notifyTopicAccess 'modules/topicSender.bicep' = if (isNotifyTopicSet) {
  name: take('notify-topic-access-${suffix}', 64)
  scope: resourceGroup(
    isNotifyTopicSet ? notifyTopicIdParts[2] : subscription().subscriptionId,
    isNotifyTopicSet ? notifyTopicIdParts[4] : resourceGroup().name
  )
  params: {
    topicName: isNotifyTopicSet ? last(notifyTopicIdParts) : 'none'
    principalId: identity.properties.principalId
    roleDefinitionId: eventGridDataSenderRoleId
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
  // The host reaches its storage with the identity, and resolves the revocation secret reference at start:
  // start it once those roles exist.
  dependsOn: [appStorageAccess, revocationSecretAccess]
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the user-assigned identity, not a system-assigned one.
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'Node|22'
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // This list replaces every setting on each deployment: the code must not live in a setting that
      // a deployment writes. `1` runs the package the last zip deployment stored (infra/deploy.sh).
      appSettings: [
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'node' }
        { name: 'WEBSITE_RUN_FROM_PACKAGE', value: '1' }
        { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'false' }
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
        { name: 'CMK_NOTIFY_TOPIC_ENDPOINT', value: isNotifyTopicSet ? notifyTopicAccess.outputs.topicEndpoint : '' }
        // Empty: the identity authenticates to the topic (EventGrid Data Sender), so no key is stored.
        { name: 'CMK_NOTIFY_TOPIC_KEY', value: '' }
        { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
        { name: 'CMK_DISCOVERY_SCOPES', value: join(discoveryScopes, ',') }
        { name: 'CMK_KEY_CHANGE_PARALLEL_ENVIRONMENTS', value: string(keyChangeParallelEnvironments) }
      ]
    }
  }
}

// Deployments authenticate with Microsoft Entra ID only: no FTP or SCM user name and password.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

// Opt-in alerts over the app's telemetry (README "Telemetry"): log search rules on Application Insights' traces.
var operationOutcomeQuery = '''
traces
| where isnotempty(customDimensions["cmk.operation.id"]) and isnotempty(customDimensions["cmk.outcome"])
| where tostring(customDimensions["cmk.outcome"]) in ("Failed", "PartiallyApplied", "PartiallyRevoked", "PartiallyRestored")
| project timestamp, operationId = tostring(customDimensions["cmk.operation.id"]), keyId = tostring(customDimensions["cmk.key.id"]), outcome = tostring(customDimensions["cmk.outcome"]), message
'''

// A key whose latest revocation or restore outcome is a revocation: access is still revoked.
var revocationInEffectQuery = '''
traces
| where tostring(customDimensions["cmk.operation.kind"]) in ("revocation", "restore") and isnotempty(customDimensions["cmk.outcome"])
| extend keyId = tostring(customDimensions["cmk.key.id"]), kind = tostring(customDimensions["cmk.operation.kind"]), outcome = tostring(customDimensions["cmk.outcome"])
| summarize arg_max(timestamp, kind, outcome) by keyId
| where kind == "revocation" and outcome in ("Revoked", "PartiallyRevoked")
'''

resource operationOutcomeAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = if (deployAlerts) {
  name: '${safePrefix}-alert-outcome-${suffix}'
  location: location
  properties: {
    displayName: 'cmk-rotator: operation failed or partially applied'
    description: 'A rotation, revocation or restore ended Failed or partially applied: its record (GET /api/rotations/{id} or /api/revocations/{id}) says which target.'
    severity: 1
    enabled: true
    scopes: [appInsights.id]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: operationOutcomeQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            { name: 'keyId', operator: 'Include', values: ['*'] }
            { name: 'outcome', operator: 'Include', values: ['*'] }
          ]
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: [alertActionGroupId] }
  }
}

resource revocationInEffectAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = if (deployAlerts) {
  name: '${safePrefix}-alert-revoked-${suffix}'
  location: location
  properties: {
    displayName: 'cmk-rotator: revocation in effect'
    description: 'A key is revoked: consumers are locked out and locked Power Platform environments are deleted after 7 (sandbox) or 30 (production) days. Restore or decide before then.'
    severity: 0
    enabled: true
    scopes: [appInsights.id]
    // The longest window a log search rule allows: it keeps firing for two days after the revocation.
    evaluationFrequency: 'PT1H'
    windowSize: 'P2D'
    criteria: {
      allOf: [
        {
          query: revocationInEffectQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [{ name: 'keyId', operator: 'Include', values: ['*'] }]
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: [alertActionGroupId] }
  }
}

// Opt-in Entra ID sign-in in front of the status page. Browsers without a session are sent to the
// sign-in page; scripts, Event Grid and the revocation webhook keep their own auth on the excluded paths.
resource appServiceAuthentication 'Microsoft.Web/sites/config@2023-12-01' = if (enableAppServiceAuthentication) {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      excludedPaths: [
        '/api/health'
        '/api/rotations'
        '/api/rotations/*'
        '/api/keys/*'
        '/api/keys'
        '/api/bindings'
        '/api/bindings/*'
        '/api/revocations'
        '/api/revocations/*'
        '/api/keyChanges'
        '/api/keyChanges/*'
        '/api/sweeps'
        '/api/sweeps/*'
        '/runtime/webhooks/EventGrid'
      ]
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${authClientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: true
      }
    }
  }
}

output functionAppName string = functionApp.name
output functionAppId string = functionApp.id
output functionAppUrl string = 'https://${functionApp.properties.defaultHostName}'
output identityPrincipalId string = identity.properties.principalId
output identityClientId string = identity.properties.clientId
output eventGridIdentityId string = eventGridIdentity.id

// The parameters of events.bicep, as a deployment parameters object (infra/deploy.sh writes it to a file).
output eventsParameters object = {
  functionAppName: { value: functionApp.name }
  allowedVaults: { value: allowedVaults }
  eventGridIdentityId: { value: eventGridIdentity.id }
  deadLetterStorageAccountName: { value: storage.name }
  deadLetterContainerName: { value: deadLetterContainer.name }
  nameSuffix: { value: suffix }
}
