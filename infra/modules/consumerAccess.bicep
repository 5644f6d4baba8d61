// Least privilege on consumers: a custom role with read + write on storage accounts and enterprise policies
// (no delete, no list keys), assigned on each bound resource only, in whatever resource group it lives.

param principalId string
param boundStorageAccounts array
param enterprisePolicies array
param roleNameSuffix string

var consumerResourceGroups = union(
  map(boundStorageAccounts, account => account.resourceGroup),
  map(enterprisePolicies, policy => policy.resourceGroup)
)

resource consumerWriter 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (!empty(consumerResourceGroups)) {
  name: guid(subscription().id, 'cmk-rotator-consumer-writer', roleNameSuffix)
  properties: {
    roleName: 'cmk-rotator consumer key writer (${roleNameSuffix})'
    description: 'Read and update the customer-managed key reference of bound storage accounts and Power Platform enterprise policies.'
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

// Role assignments need the subscription-level id of the definition, whatever scope it was deployed at.
var consumerWriterRoleId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', consumerWriter.name)

module storageWriters 'resourceRoleAssignment.bicep' = [
  for account in boundStorageAccounts: {
    name: 'storage-${account.name}'
    scope: resourceGroup(account.resourceGroup)
    params: {
      resourceType: 'Microsoft.Storage/storageAccounts'
      resourceName: account.name
      principalId: principalId
      roleDefinitionId: consumerWriterRoleId
    }
  }
]

module policyWriters 'resourceRoleAssignment.bicep' = [
  for policy in enterprisePolicies: {
    name: 'policy-${policy.name}'
    scope: resourceGroup(policy.resourceGroup)
    params: {
      resourceType: 'Microsoft.PowerPlatform/enterprisePolicies'
      resourceName: policy.name
      principalId: principalId
      roleDefinitionId: consumerWriterRoleId
    }
  }
]
