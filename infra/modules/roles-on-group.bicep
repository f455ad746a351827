// Role assignments on this resource group (a VPN_SCOPES entry <subscription>/<resource group>).

targetScope = 'resourceGroup'

import { grant } from 'types.bicep'

@description('Roles to assign here.')
param grants grant[]

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for g in grants: {
  name: guid(resourceGroup().id, g.key, g.roleDefinitionId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', g.roleDefinitionId)
    principalId: g.principalId
    // Managed identities. Set explicitly so a just-created identity is not rejected before Entra replication catches up.
    principalType: 'ServicePrincipal'
  }
}]
