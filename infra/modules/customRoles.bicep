// The custom roles, defined at subscription scope (a role definition lives in a subscription, whatever
// its assignable scopes): each is assigned on single resources only, except discovery (listed subscriptions).
targetScope = 'subscription'

param nameSuffix string
@description('Resource groups of the allow-listed vaults (the key rotator role is assigned on each vault in them).')
param vaultResourceGroups array
@description('Resource groups of the bound storage accounts and enterprise policies.')
param consumerResourceGroups array
@description('Subscriptions where the discovery reader role is assigned.')
param discoverySubscriptionIds array

// Exactly the data actions the app's Key Vault gateway documents (src/lib/keys/types.ts, KeyVaultGateway).
// Key Vault Crypto Officer would add decrypt, unwrap, sign, release, delete and purge on every key.
resource keyRotator 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, 'cmk-rotator-key-rotator', nameSuffix)
  properties: {
    roleName: 'cmk-rotator key rotator (${nameSuffix})'
    description: 'Read keys, versions and rotation policies; create key versions; enable and disable versions. No cryptographic use of a key, no delete, no purge.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.KeyVault/vaults/keys/read'
          'Microsoft.KeyVault/vaults/keys/create/action'
          'Microsoft.KeyVault/vaults/keys/update/action'
          'Microsoft.KeyVault/vaults/keys/rotationpolicy/read'
        ]
        notDataActions: []
      }
    ]
    assignableScopes: [for group in vaultResourceGroups: '${subscription().id}/resourceGroups/${group}']
  }
}

resource consumerWriter 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (!empty(consumerResourceGroups)) {
  name: guid(subscription().id, 'cmk-rotator-consumer-writer', nameSuffix)
  properties: {
    roleName: 'cmk-rotator consumer key writer (${nameSuffix})'
    description: 'Read and update the customer-managed key reference of bound storage accounts and Power Platform enterprise policies. No delete, no list keys.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.Storage/storageAccounts/read'
          'Microsoft.Storage/storageAccounts/write'
          'Microsoft.PowerPlatform/enterprisePolicies/read'
          'Microsoft.PowerPlatform/enterprisePolicies/write'
        ]
        notActions: []
      }
    ]
    assignableScopes: [for group in consumerResourceGroups: '${subscription().id}/resourceGroups/${group}']
  }
}

resource discoveryReader 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (!empty(discoverySubscriptionIds)) {
  name: guid(subscription().id, 'cmk-rotator-discovery-reader', nameSuffix)
  properties: {
    roleName: 'cmk-rotator discovery reader (${nameSuffix})'
    description: 'Find storage accounts and Power Platform enterprise policies (Resource Graph reads): read only.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.Storage/storageAccounts/read'
          'Microsoft.PowerPlatform/enterprisePolicies/read'
        ]
        notActions: []
      }
    ]
    assignableScopes: [for subscriptionId in discoverySubscriptionIds: '/subscriptions/${subscriptionId}']
  }
}

// Role assignments take the subscription-level id of the definition.
output keyRotatorRoleId string = keyRotator.id
output consumerWriterRoleId string = empty(consumerResourceGroups) ? '' : consumerWriter.id
output discoveryReaderRoleId string = empty(discoverySubscriptionIds) ? '' : discoveryReader.id
