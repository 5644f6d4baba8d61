// One allow-listed vault: the cmk-rotator key rotator role (modules/customRoles.bicep) for the app's
// identity on that vault only.

param vaultName string
param principalId string
@description('Subscription-level id of the key rotator role.')
param roleDefinitionId string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

resource keyRotator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, roleDefinitionId)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleDefinitionId
  }
}
