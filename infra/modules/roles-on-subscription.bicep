// Role assignments on this subscription (a VPN_SCOPES entry that names a whole subscription).

targetScope = 'subscription'

import { grant } from 'types.bicep'

@description('Roles to assign here.')
param grants grant[]

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for g in grants: {
  name: guid(subscription().id, g.key, g.roleDefinitionId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', g.roleDefinitionId)
    principalId: g.principalId
    principalType: 'ServicePrincipal'
  }
}]
