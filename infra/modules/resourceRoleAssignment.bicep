// Assigns one role to one principal on one existing storage account or enterprise policy (never wider).
// The policy is only read here, so the api-version is the one the Bicep types know (2020-10-30-preview).

@allowed(['Microsoft.Storage/storageAccounts', 'Microsoft.PowerPlatform/enterprisePolicies'])
param resourceType string
param resourceName string
param principalId string
param roleDefinitionId string

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = if (resourceType == 'Microsoft.Storage/storageAccounts') {
  name: resourceName
}

resource enterprisePolicy 'Microsoft.PowerPlatform/enterprisePolicies@2020-10-30-preview' existing = if (resourceType == 'Microsoft.PowerPlatform/enterprisePolicies') {
  name: resourceName
}

resource storageWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (resourceType == 'Microsoft.Storage/storageAccounts') {
  name: guid(storageAccount.id, principalId, roleDefinitionId)
  scope: storageAccount
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleDefinitionId
  }
}

resource policyWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (resourceType == 'Microsoft.PowerPlatform/enterprisePolicies') {
  name: guid(enterprisePolicy.id, principalId, roleDefinitionId)
  scope: enterprisePolicy
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleDefinitionId
  }
}
