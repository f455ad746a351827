// The dead-letter container's one writer: each Key Vault system topic's identity gets Storage Blob Data Contributor
// on that container only (not the account), so Event Grid can keep the events it could not deliver.

import { builtInRoles } from 'role-definitions.bicep'

@description('Storage account of the function app.')
param storageAccountName string

@minLength(3)
@maxLength(63)
@description('The dead-letter blob container.')
param containerName string

@description('Principal id of a system topic\'s identity.')
param principalId string

@description('Known before the deployment runs (the system topic\'s resource id): names the assignment.')
param principalKey string

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource container 'containers' existing = {
      name: containerName
    }
  }
}

resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::container.id, principalKey, builtInRoles.storageBlobDataContributor)
  scope: storage::blobService::container
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
