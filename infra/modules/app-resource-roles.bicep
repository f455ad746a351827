// Data-plane roles of the app identity on the resources it owns: its storage account (Functions host, Durable
// Functions with the Azure Storage backend, the bot's tables) and its Application Insights component (Entra
// ingestion). Scoped to those two resources, not to the resource group.

import { builtInRoles } from 'role-definitions.bicep'

@description('Storage account of the function app.')
param storageAccountName string

@description('Application Insights component of the function app.')
param applicationInsightsName string

@description('Object id of the app identity.')
param principalId string

@description('Resource id of the app identity: names the assignments before the identity exists.')
param principalKey string

var storageRoleIds = [
  builtInRoles.storageBlobDataOwner
  builtInRoles.storageQueueDataContributor
  builtInRoles.storageTableDataContributor
]

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in storageRoleIds: {
  name: guid(storage.id, principalKey, roleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    // Set explicitly so a just-created identity is not rejected before Entra replication catches up.
    principalType: 'ServicePrincipal'
  }
}]

resource telemetryRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, principalKey, builtInRoles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
