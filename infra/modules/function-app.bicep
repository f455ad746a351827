// The function app on Flex Consumption (Node 22). It runs as two user-assigned identities: the app identity
// (AZURE_CLIENT_ID) for storage, telemetry and Azure reads, and the bot identity (MicrosoftAppId) that Bot
// Framework tokens are issued to. App settings hold ids, names and endpoints only: no key, password or SAS.
// Setting names are exactly those core/config/load-config.ts reads (README "Configuration").

import { tags as tagsType } from 'types.bicep'

@minLength(2)
@maxLength(60)
@description('Function app name; also the host name <name>.azurewebsites.net.')
param name string

@minLength(1)
@maxLength(40)
@description('Flex Consumption plan name.')
param planName string

@description('Azure region (must offer Flex Consumption).')
param location string

@description('Tags for the plan and the app.')
param tags tagsType

@minLength(1)
@description('azd service name from azure.yaml; azd finds the app to deploy by this tag.')
param serviceName string

@description('Storage account of the host, Durable Functions and the bot tables.')
param storageAccountName string

@description('Blob endpoint of that account.')
param storageBlobEndpoint string

@description('Table endpoint of that account (STATE_TABLES_ENDPOINT).')
param storageTableEndpoint string

@description('Blob container holding the deployment package.')
param deploymentContainerName string

@description('Resource id of the app identity.')
param appIdentityId string

@description('Client id of the app identity (AZURE_CLIENT_ID, AzureWebJobsStorage__clientId).')
param appIdentityClientId string

@description('Resource id of the bot identity.')
param botIdentityId string

@description('Client id of the bot identity (MicrosoftAppId).')
param botIdentityClientId string

@description('Tenant of the bot identity (MicrosoftAppTenantId).')
param botTenantId string

@description('Application Insights connection string.')
param applicationInsightsConnectionString string

@minLength(36)
@description('ACCESS_ALLOWED_TENANTS: Entra tenant ids, comma-separated.')
param accessAllowedTenants string

@description('ACCESS_READERS: Entra object ids, comma-separated; empty grants nobody.')
param accessReaders string

@description('ACCESS_OPERATORS: Entra object ids, comma-separated; empty grants nobody.')
param accessOperators string

@description('ACCESS_APPROVERS: Entra object ids, comma-separated; empty grants nobody.')
param accessApprovers string

@minLength(36)
@description('VPN_SCOPES: <subscription> or <subscription>/<resource group>, comma-separated.')
param vpnScopes string

@description('DIAGNOSTICS_WORKSPACE_ID: Log Analytics workspace resource id, or empty.')
param diagnosticsWorkspaceId string

@description('APPROVALS_CHANNEL_ID: the Teams channel approval requests go to, or empty (personal cards).')
param approvalsChannelId string

@minValue(1)
@maxValue(336)
@description('APPROVAL_TIMEOUT_HOURS.')
param approvalTimeoutHours int

@description('CHANGES_WITHOUT_APPROVAL: change kinds that skip approval, comma-separated, or empty.')
param changesWithoutApproval string

@minLength(3)
@maxLength(45)
@description('DURABLE_TASK_HUB.')
param durableTaskHub string

@minLength(1)
@description('ENVIRONMENT_NAME shown on help and whoami cards.')
param environmentLabel string

@minValue(1)
@maxValue(1000)
@description('Most instances Flex Consumption may scale out to.')
param maximumInstanceCount int

@allowed([
  512
  2048
  4096
])
@description('Memory of one instance, MB.')
param instanceMemoryMB int

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${appIdentityId}': {}
      '${botIdentityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: appIdentityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }

  resource appSettings 'config' = {
    name: 'appsettings'
    properties: {
      // Functions host and Durable Functions storage, identity-based (no connection string).
      AzureWebJobsStorage__accountName: storageAccountName
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: appIdentityClientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${appIdentityClientId};Authorization=AAD'
      // The bot registration: Bot Framework tokens for the bot identity, fetched through managed identity.
      MicrosoftAppId: botIdentityClientId
      MicrosoftAppType: 'UserAssignedMSI'
      MicrosoftAppTenantId: botTenantId
      // Who may use the bot and in which role (Entra ids, not secrets).
      ACCESS_ALLOWED_TENANTS: accessAllowedTenants
      ACCESS_READERS: accessReaders
      ACCESS_OPERATORS: accessOperators
      ACCESS_APPROVERS: accessApprovers
      // State and Azure access with the app identity.
      STATE_TABLES_ENDPOINT: storageTableEndpoint
      AZURE_CLIENT_ID: appIdentityClientId
      VPN_SCOPES: vpnScopes
      DIAGNOSTICS_WORKSPACE_ID: diagnosticsWorkspaceId
      // The approval policy (validated by the app at start, every problem named).
      APPROVALS_CHANNEL_ID: approvalsChannelId
      APPROVAL_TIMEOUT_HOURS: string(approvalTimeoutHours)
      CHANGES_WITHOUT_APPROVAL: changesWithoutApproval
      DURABLE_TASK_HUB: durableTaskHub
      ENVIRONMENT_NAME: environmentLabel
    }
  }

  // Publishing with a user name and password would be a second, secret-based way in; azd deploys with Entra.
  resource scmBasicAuth 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }

  resource ftpBasicAuth 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }
}

@description('Function app name.')
output name string = functionApp.name

@description('Resource id of the function app.')
output id string = functionApp.id

@description('Default host name, <name>.azurewebsites.net.')
output defaultHostName string = functionApp.properties.defaultHostName
