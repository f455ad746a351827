// The app identity's roles on a whole VPN subscription (an entry <subscription> of VPN_SCOPES): the same grants
// as vpn-group-roles.bicep, at the scope the operator chose. Prefer resource-group entries where possible.

targetScope = 'subscription'

import { builtInRoles } from 'role-definitions.bicep'

@description('Object id of the app identity.')
param principalId string

@description('Grant Network Contributor, so provision and rotate can write connections.')
param allowVpnChanges bool

@description('Grant Monitoring Contributor, so "Enable diagnostics" can add a diagnostic setting to a gateway.')
param allowEnableDiagnostics bool

var roleIds = concat(
  [
    builtInRoles.reader
    builtInRoles.monitoringReader
  ],
  allowVpnChanges ? [builtInRoles.networkContributor] : [],
  allowEnableDiagnostics ? [builtInRoles.monitoringContributor] : []
)

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in roleIds: {
  name: guid(subscription().id, principalId, roleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]
