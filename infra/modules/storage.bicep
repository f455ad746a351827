// The app's storage account: the Functions host and Durable Functions (AzureWebJobsStorage, identity-based), the
// Flex Consumption deployment container, and the bot's own tables. Shared keys are disabled, so nothing that
// holds an account key or SAS can exist; every caller is an Entra identity with a data role.

import { tags as tagsType } from 'types.bicep'

@minLength(3)
@maxLength(24)
@description('Storage account name: 3-24 lowercase letters and digits, globally unique.')
param name string

@description('Azure region.')
param location string

@description('Tags for the account.')
param tags tagsType

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
])
@description('Redundancy. ZRS survives a zone outage where the region has zones.')
param skuName string

@minLength(3)
@maxLength(63)
@description('Blob container that Flex Consumption deploys the app package from.')
param deploymentContainerName string

@minLength(3)
@maxLength(63)
@description('Blob container that keeps the Key Vault events Event Grid could not deliver (dead letters).')
param deadLetterContainerName string

@minLength(1)
@description('Tables the bot keeps its state in (names fixed by adapters/storage/table-client-factory.ts).')
param tableNames string[]

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }

    resource deadLetterContainer 'containers' = {
      name: deadLetterContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }

  resource tableService 'tableServices' = {
    name: 'default'

    // Created here so the first message after a deployment does not pay for (or race on) table creation.
    resource tables 'tables' = [for tableName in tableNames: {
      name: tableName
    }]
  }
}

@description('Storage account name (AzureWebJobsStorage__accountName).')
output name string = storage.name

@description('Blob endpoint, for the Flex Consumption deployment source.')
output blobEndpoint string = storage.properties.primaryEndpoints.blob

@description('Resource id of the account.')
output id string = storage.id

@description('Table endpoint (STATE_TABLES_ENDPOINT).')
output tableEndpoint string = storage.properties.primaryEndpoints.table
