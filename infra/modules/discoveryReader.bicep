// The discovery reader role on one listed subscription: Resource Graph finds storage accounts and
// enterprise policies there. The only assignment above a single resource, and it only reads.
targetScope = 'subscription'

param principalId string
param roleDefinitionId string

resource discoveryReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, roleDefinitionId)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleDefinitionId
  }
}
