// The app's own telemetry: a Log Analytics workspace and a workspace-based Application Insights component. Both
// refuse key-based ingestion, so the connection string in the app settings is an address, not a credential; the
// app identity sends telemetry with Entra (Monitoring Metrics Publisher, assigned in app-resource-roles.bicep).

import { tags as tagsType } from 'types.bicep'

@minLength(4)
@maxLength(63)
@description('Log Analytics workspace name.')
param workspaceName string

@minLength(1)
@maxLength(260)
@description('Application Insights component name.')
param applicationInsightsName string

@description('Azure region.')
param location string

@description('Tags for both resources.')
param tags tagsType

@minValue(30)
@maxValue(730)
@description('Days the app telemetry is kept.')
param retentionInDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      disableLocalAuth: true
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

@description('Application Insights component name, for role assignments.')
output applicationInsightsName string = applicationInsights.name

@description('Application Insights connection string (ingestion address; local auth is disabled).')
output connectionString string = applicationInsights.properties.ConnectionString

@description('Resource id of the telemetry workspace.')
output workspaceId string = workspace.id
