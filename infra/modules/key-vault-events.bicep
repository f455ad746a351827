// Key Vault's certificate events for one existing vault in this resource group: its Event Grid system topic and
// the subscription delivering to the function app (key-vault-events-topic.bicep), in the vault's own region.

import { tags as tagsType } from 'types.bicep'

@minLength(3)
@maxLength(24)
@description('Name of the existing vault in this resource group.')
param vaultName string

@minLength(3)
@maxLength(128)
@description('Name of the system topic on the vault.')
param topicName string

@description('Resource id of the function app (Microsoft.Web/sites); its function keyVaultCertificateEvents receives the events.')
param functionAppId string

@description('Resource id of the storage account that keeps events Event Grid could not deliver.')
param deadLetterStorageAccountId string

@minLength(3)
@maxLength(63)
@description('Blob container in that account for undelivered events.')
param deadLetterContainerName string

@description('Tags for the system topic.')
param tags tagsType

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: vaultName
}

module topic 'key-vault-events-topic.bicep' = {
  name: '${deployment().name}-topic'
  params: {
    vaultId: vault.id
    location: vault.location
    topicName: topicName
    functionAppId: functionAppId
    deadLetterStorageAccountId: deadLetterStorageAccountId
    deadLetterContainerName: deadLetterContainerName
    tags: tags
  }
}

@description('Principal id of the system topic\'s identity (writes undelivered events to the dead-letter container).')
output principalId string = topic.outputs.principalId
