// One allow-listed vault: one custom role (modules/customRoles.bicep) for the app's identity on that vault
// only: the key rotator, and with key changes on, the key change vault reader.

param vaultName string
param principalId string
@description('Subscription-level id of the role (key rotator or key change vault reader).')
param roleDefinitionId string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

resource vaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, roleDefinitionId)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleDefinitionId
  }
}
