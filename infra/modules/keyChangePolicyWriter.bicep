// Opt-in key change: the key change policy writer role (modules/customRoles.bicep) for the app's identity on
// one resource group that holds consumers' enterprise policies. A key change creates the new key's policy
// beside the old one, under a name known only during the change: the resource group is the narrowest scope
// that can hold it. The only role assignment above a single resource that writes; it deletes nothing.

param principalId string
@description('Subscription-level id of the key change policy writer role.')
param roleDefinitionId string

// No scope: this module's resource group.
resource policyWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, roleDefinitionId)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleDefinitionId
  }
}
