// Least privilege on consumers: the consumer key writer role (modules/customRoles.bicep), assigned on each
// bound storage account and enterprise policy only, in whatever resource group it lives.

param principalId string
param boundStorageAccounts array
param enterprisePolicies array
@description('Subscription-level id of the consumer key writer role; empty when there is no consumer.')
param roleDefinitionId string
param nameSuffix string

module storageWriters 'resourceRoleAssignment.bicep' = [
  for account in boundStorageAccounts: {
    name: take('storage-${account.name}-${nameSuffix}', 64)
    scope: resourceGroup(account.resourceGroup)
    params: {
      resourceType: 'Microsoft.Storage/storageAccounts'
      resourceName: account.name
      principalId: principalId
      roleDefinitionId: roleDefinitionId
    }
  }
]

module policyWriters 'resourceRoleAssignment.bicep' = [
  for policy in enterprisePolicies: {
    name: take('policy-${policy.name}-${nameSuffix}', 64)
    scope: resourceGroup(policy.resourceGroup)
    params: {
      resourceType: 'Microsoft.PowerPlatform/enterprisePolicies'
      resourceName: policy.name
      principalId: principalId
      roleDefinitionId: roleDefinitionId
    }
  }
]
