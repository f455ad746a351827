// Role assignments on one existing Key Vault key (the vault CA's key): the key itself, not its vault.

targetScope = 'resourceGroup'

import { grant } from 'types.bicep'

@minLength(3)
@maxLength(24)
@description('Name of the existing vault in this resource group.')
param vaultName string

@minLength(1)
@maxLength(127)
@description('Name of the key in that vault.')
param keyName string

@description('Roles to assign on the key.')
param grants grant[]

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: vaultName

  resource key 'keys' existing = {
    name: keyName
  }
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for g in grants: {
  name: guid(vault::key.id, g.key, g.roleDefinitionId)
  scope: vault::key
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', g.roleDefinitionId)
    principalId: g.principalId
    principalType: 'ServicePrincipal'
  }
}]
