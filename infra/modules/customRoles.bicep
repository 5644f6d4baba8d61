// The custom roles, defined at subscription scope (a role definition lives in a subscription, whatever
// its assignable scopes): each is assigned on single resources only, except discovery (listed subscriptions)
// and the opt-in key change policy writer (the resource groups that hold consumers' enterprise policies).
targetScope = 'subscription'

param nameSuffix string
@description('Resource groups of the allow-listed vaults (the key rotator role is assigned on each vault in them).')
param vaultResourceGroups array
@description('Resource groups of the bound storage accounts and enterprise policies.')
param consumerResourceGroups array
@description('Subscriptions where the discovery reader role is assigned.')
param discoverySubscriptionIds array
@description('Resource groups where the key change policy writer role is assigned; empty when key changes are off.')
param keyChangePolicyResourceGroups array
@description('Resource groups of the vaults the key change vault reader role is assigned on; empty when key changes are off.')
param keyChangeVaultResourceGroups array

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

// Key change (opt-in): create the new key's enterprise policy beside the old one and read policies there
// (src/lib/keyChanges/enterprisePolicies.ts). Its name is only known during the change, so this role is
// assigned on the resource group; no delete, and nothing on storage (the consumer key writer has it).
resource keyChangePolicyWriter 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (!empty(keyChangePolicyResourceGroups)) {
  name: guid(subscription().id, 'cmk-rotator-key-change-policy-writer', nameSuffix)
  properties: {
    roleName: 'cmk-rotator key change policy writer (${nameSuffix})'
    description: 'Read, create and update Power Platform enterprise policies, for changing a key to a different one. No delete.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.PowerPlatform/enterprisePolicies/read'
          'Microsoft.PowerPlatform/enterprisePolicies/write'
        ]
        notActions: []
      }
    ]
    assignableScopes: [for group in keyChangePolicyResourceGroups: '${subscription().id}/resourceGroups/${group}']
  }
}

// Key change (opt-in): the preflight reads each vault's soft delete, purge protection, permission model and
// access policies, and who holds a key role on it (src/lib/keyChanges/vaultAccess.ts). Reads only: the app
// prints the role assignments it finds missing, an admin runs them.
resource keyChangeVaultReader 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (!empty(keyChangeVaultResourceGroups)) {
  name: guid(subscription().id, 'cmk-rotator-key-change-vault-reader', nameSuffix)
  properties: {
    roleName: 'cmk-rotator key change vault reader (${nameSuffix})'
    description: 'Read a vault\'s properties and the role assignments on it, for the key change preflight. Read only: no key, secret or role assignment write.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.KeyVault/vaults/read'
          'Microsoft.Authorization/roleAssignments/read'
        ]
        notActions: []
      }
    ]
    assignableScopes: [for group in keyChangeVaultResourceGroups: '${subscription().id}/resourceGroups/${group}']
  }
}

// Role assignments take the subscription-level id of the definition.
output keyRotatorRoleId string = keyRotator.id
output consumerWriterRoleId string = empty(consumerResourceGroups) ? '' : consumerWriter.id
output discoveryReaderRoleId string = empty(discoverySubscriptionIds) ? '' : discoveryReader.id
output keyChangePolicyWriterRoleId string = empty(keyChangePolicyResourceGroups) ? '' : keyChangePolicyWriter.id
output keyChangeVaultReaderRoleId string = empty(keyChangeVaultResourceGroups) ? '' : keyChangeVaultReader.id
