// The app identity's roles on one Log Analytics workspace that holds gateway logs: Log Analytics Reader so
// diagnose can query them; on the workspace named by DIAGNOSTICS_WORKSPACE_ID, optionally Monitoring
// Contributor, because using a workspace as a diagnostic-setting destination needs
// Microsoft.OperationalInsights/workspaces/sharedKeys/action on it, which no reader role has.

targetScope = 'resourceGroup'

import { builtInRoles } from 'role-definitions.bicep'

@minLength(4)
@maxLength(63)
@description('Name of the existing workspace in this resource group.')
param workspaceName string

@description('Object id of the app identity.')
param principalId string

@description('Also grant the destination permission "Enable diagnostics" needs.')
param allowAsDiagnosticsDestination bool

var roleIds = concat([builtInRoles.logAnalyticsReader], allowAsDiagnosticsDestination ? [builtInRoles.monitoringContributor] : [])

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in roleIds: {
  name: guid(workspace.id, principalId, roleId)
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]
