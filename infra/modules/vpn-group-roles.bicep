// The app identity's roles on one VPN resource group (an entry <subscription>/<resource group> of VPN_SCOPES).
// Reading is always granted; changing connections and gateway diagnostic settings only when asked for.

targetScope = 'resourceGroup'

import { builtInRoles } from 'role-definitions.bicep'

@description('Object id of the app identity.')
param principalId string

@description('Grant Network Contributor, so provision and rotate can write connections.')
param allowVpnChanges bool

@description('Grant Monitoring Contributor, so "Enable diagnostics" can add a diagnostic setting to a gateway.')
param allowEnableDiagnostics bool

// Monitoring Reader already contains Reader's */read; Reader stays so that status keeps working if the
// monitoring grant is ever narrowed to a custom role.
var roleIds = concat(
  [
    builtInRoles.reader
    builtInRoles.monitoringReader
  ],
  allowVpnChanges ? [builtInRoles.networkContributor] : [],
  allowEnableDiagnostics ? [builtInRoles.monitoringContributor] : []
)

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in roleIds: {
  name: guid(resourceGroup().id, principalId, roleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]
