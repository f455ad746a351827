// Role assignments on one existing Log Analytics workspace in this resource group, not on its resource group.

targetScope = 'resourceGroup'

import { grant } from 'types.bicep'

@minLength(4)
@maxLength(63)
@description('Name of the existing workspace in this resource group.')
param workspaceName string

@description('Roles to assign on the workspace.')
param grants grant[]

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' existing = {
  name: workspaceName
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for g in grants: {
  name: guid(workspace.id, g.key, g.roleDefinitionId)
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', g.roleDefinitionId)
    principalId: g.principalId
    principalType: 'ServicePrincipal'
  }
}]
