// Key Vault's certificate events, delivered to the function app: an Event Grid system topic on one existing vault
// in this resource group (topic type Microsoft.KeyVault.vaults, source the vault) and an event subscription on it
// that sends Microsoft.KeyVault.CertificateNearExpiry and Microsoft.KeyVault.CertificateExpired to the function
// keyVaultCertificateEvents (functions/key-vault-events.ts, an Event Grid trigger). Events Event Grid could not
// deliver within the retry policy go to a blob container of the app's storage account, written with the system
// topic's own identity (its role there: modules/key-vault-events-dead-letter-role.bicep). Azure allows one system
// topic per source: a vault that already has one fails here, naming it. Deployed by key-vault-events.bicep, which
// knows the vault's region only once the deployment runs.

import { tags as tagsType } from 'types.bicep'

@description('Resource id of the vault, the topic\'s source.')
param vaultId string

@description('Region of the vault: a system topic lives in its source\'s region.')
param location string

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

// The events the app handles (activities/expiry-alerts.ts reads these two; any other is ignored).
var certificateEventTypes = [
  'Microsoft.KeyVault.CertificateNearExpiry'
  'Microsoft.KeyVault.CertificateExpired'
]

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: topicName
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: vaultId
    topicType: 'Microsoft.KeyVault.vaults'
  }

  resource toFunction 'eventSubscriptions' = {
    name: 'certificate-expiry-to-function'
    properties: {
      destination: {
        endpointType: 'AzureFunction'
        properties: {
          resourceId: '${functionAppId}/functions/keyVaultCertificateEvents'
          // One event per invocation: the function handles (and fails, to be retried) each event on its own.
          maxEventsPerBatch: 1
          preferredBatchSizeInKilobytes: 64
        }
      }
      eventDeliverySchema: 'EventGridSchema'
      filter: {
        includedEventTypes: certificateEventTypes
      }
      // Event Grid's own defaults, written out: an alert is worth trying for a day (the daily report repeats it).
      retryPolicy: {
        maxDeliveryAttempts: 30
        eventTimeToLiveInMinutes: 1440
      }
      deadLetterWithResourceIdentity: {
        identity: {
          type: 'SystemAssigned'
        }
        deadLetterDestination: {
          endpointType: 'StorageBlob'
          properties: {
            resourceId: deadLetterStorageAccountId
            blobContainerName: deadLetterContainerName
          }
        }
      }
    }
  }
}

@description('Principal id of the system topic\'s identity (writes undelivered events to the dead-letter container).')
output principalId string = topic.identity.principalId

@description('Resource id of the system topic.')
output id string = topic.id
