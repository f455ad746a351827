// Role assignments on one existing Key Vault (Azure RBAC permission model) in this resource group.

targetScope = 'resourceGroup'

import { grant } from 'types.bicep'

@minLength(3)
@maxLength(24)
@description('Name of the existing vault in this resource group.')
param vaultName string

@description('Roles to assign on the vault.')
param grants grant[]

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: vaultName
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for g in grants: {
  name: guid(vault.id, g.key, g.roleDefinitionId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', g.roleDefinitionId)
    principalId: g.principalId
    principalType: 'ServicePrincipal'
  }
}]
