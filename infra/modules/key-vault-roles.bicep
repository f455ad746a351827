// The app identity's role on one certificate vault (RBAC permission model). "read" is Key Vault Reader: it
// covers certificates/read (metadata, policy and the public certificate that status checks) but no secret
// value. Key Vault Certificate User is deliberately not used: it adds secrets/getSecret/action, which returns
// the private key of an exportable certificate, and status never needs that.

targetScope = 'resourceGroup'

import { builtInRoles } from 'role-definitions.bicep'

@minLength(3)
@maxLength(24)
@description('Name of the existing vault in this resource group.')
param vaultName string

@description('Object id of the app identity.')
param principalId string

@allowed([
  'read'
  'manage'
])
@description('read: Key Vault Reader (status). manage: Key Vault Certificates Officer (rotation creates and merges certificates).')
param access string

var roleId = access == 'manage' ? builtInRoles.keyVaultCertificatesOfficer : builtInRoles.keyVaultReader

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, roleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
