// Production infrastructure of the VPN certificate ChatOps bot, deployed with `azd up` (azure.yaml): the function
// app on Flex Consumption with its storage and telemetry, the Azure Bot with the Teams channel, two user-assigned
// identities, and custom roles built from permissions.json (exactly what the code does in Azure) for the app identity
// on the VPN estate and for the gateways' identities on the certificate vaults. No secret is created,
// stored or passed: every caller authenticates with Entra.
//
// Parameters that list several values take them comma-separated, exactly as the app settings do, so one azd
// environment variable (e.g. VPN_SCOPES) drives both the setting and the role assignments that back it.

targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group (rg-<name>) and seeds the unique resource names.')
param environmentName string

@minLength(1)
@description('Region of the function app and its resources. It must offer Flex Consumption.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@minLength(36)
@description('VPN_SCOPES: where the certificate-authenticated connections live, as <subscription-id> or <subscription-id>/<resource-group>, comma-separated. The app identity gets the VPN reader role on each (and the writer roles that are switched on).')
param vpnScopes string

@description('ACCESS_ALLOWED_TENANTS: Entra tenant ids whose people may use the bot, comma-separated. Empty means the tenant of this deployment.')
param accessAllowedTenants string = ''

@description('ACCESS_READERS: Entra object ids (users or groups) with the reader role, comma-separated. Empty grants nobody.')
param accessReaders string = ''

@description('ACCESS_OPERATORS: Entra object ids with the operator role (can also read), comma-separated. Empty grants nobody.')
param accessOperators string = ''

@description('ACCESS_APPROVERS: Entra object ids with the approver role (can also read), comma-separated. Empty grants nobody.')
param accessApprovers string = ''

@description('DIAGNOSTICS_WORKSPACE_ID: resource id of the Log Analytics workspace that receives gateway IKE and tunnel logs. The app identity may query it; empty turns "Enable diagnostics" off.')
param diagnosticsWorkspaceId string = ''

@description('APPROVALS_CHANNEL_ID: the Teams channel (conversation id, 19:…@thread.tacv2) approval requests are posted in. Empty: each approver gets a personal card.')
param approvalsChannelId string = ''

@minValue(1)
@maxValue(336)
@description('APPROVAL_TIMEOUT_HOURS: whole hours approvers have before a change expires (a reminder goes out at half-time); at most 336 (14 days).')
param approvalTimeoutHours int = 24

@description('CHANGES_WITHOUT_APPROVAL: change kinds that skip approval, comma-separated; only enable-diagnostics may be listed (rotate-certificate and provision-site always need approval). Empty: every change needs approval.')
param changesWithoutApproval string = ''

@description('Resource ids of other Log Analytics workspaces that already hold gateway logs, comma-separated; diagnose may query each.')
param gatewayLogWorkspaceIds string = ''

@description('Resource ids of the Key Vaults (Azure RBAC permission model) that hold the outbound certificates, comma-separated. The app may read certificate metadata and public certificates there; each gateway identity in gatewayIdentityPrincipalIds may read its certificate with the private key.')
param certificateVaultIds string = ''

@description('Object ids (principal ids) of the VPN gateways\' user-assigned identities, comma-separated. Each may read the outbound certificates (with their private keys) in the certificate vaults, and nothing else.')
param gatewayIdentityPrincipalIds string = ''

@description('Resource id of the vault CA\'s key (/subscriptions/…/providers/Microsoft.KeyVault/vaults/<vault>/keys/<key>), or empty. Any signing role is assigned on that key only.')
param caKeyId string = ''

@allowed([
  'read'
  'manage'
])
@description('read: the app only reads the certificate vaults (status). manage: it may also change certificates there (the certificate changer role, once rotate and provision need it).')
param certificateVaultAccess string = 'read'

@description('Assign the VPN changer role (writes to connections and local network gateways for provision and rotate). Off, the app only reads the VPN estate.')
param allowVpnChanges bool = false

@description('Assign the gateway diagnostics writer role on the VPN scopes and the diagnostics destination role on DIAGNOSTICS_WORKSPACE_ID, so the diagnose card\'s "Enable diagnostics" button can add a diagnostic setting to a gateway.')
param allowEnableDiagnostics bool = false

@description('Assign the vault access granter role on the certificate vaults: provision may then give a new gateway\'s identity read access to its outbound certificate (an access policy, or Key Vault Certificate User + Secrets User), and Remove take it away. It lets the app change who reads those vaults; off, the preflight names the exact grant for an administrator instead.')
param allowVaultAccessGrants bool = false

@description('KEY_VAULT_EVENTS: deliver Key Vault\'s CertificateNearExpiry and CertificateExpired events from each certificate vault to the function keyVaultCertificateEvents (an Event Grid system topic on each vault and an event subscription on it). Azure accepts the subscription only once the function exists: turn it on after the first deployment of the code.')
param keyVaultEvents bool = false

@minLength(3)
@maxLength(45)
@description('DURABLE_TASK_HUB: 3-45 letters and digits, starting with a letter.')
param durableTaskHub string = 'vpncertops'

@minLength(1)
@maxLength(32)
@description('ENVIRONMENT_NAME shown on help and whoami cards; "production" shows none.')
param appEnvironmentLabel string = 'production'

@minLength(1)
@maxLength(42)
@description('Display name of the bot in Bot Service.')
param botDisplayName string = 'VPN Cert Ops'

@allowed([
  'F0'
  'S1'
])
@description('Azure Bot pricing tier. Teams is a standard channel: F0 is enough.')
param botSku string = 'F0'

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
])
@description('Redundancy of the app storage account (Durable Functions state, the bot\'s tables). Choose Standard_ZRS where the region has availability zones.')
param storageSku string = 'Standard_LRS'

@minValue(1)
@maxValue(1000)
@description('Most instances the function app may scale out to.')
param maximumInstanceCount int = 40

@allowed([
  512
  2048
  4096
])
@description('Memory of one function app instance, MB.')
param instanceMemoryMB int = 2048

@minValue(30)
@maxValue(730)
@description('Days the app\'s own telemetry is kept.')
param telemetryRetentionDays int = 30

var tags = {
  'azd-env-name': environmentName
}
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var serviceName = 'api'
var functionAppName = 'func-vpncert-${resourceToken}'
var deploymentContainerName = 'app-package-${resourceToken}'
var appIdentityName = 'id-vpncert-app-${resourceToken}'
var storageAccountName = 'stvpncert${resourceToken}'
var applicationInsightsName = 'appi-vpncert-${resourceToken}'
var deadLetterContainerName = 'eventgrid-dead-letters'
// Fixed by adapters/storage/table-client-factory.ts (TABLES).
var stateTableNames = [
  'conversations'
  'auditlog'
  'jobs'
  'subscriptions'
  'approvals'
  'siteindex'
]
var separators = [
  ','
  ';'
  ' '
]

var allowedTenants = empty(accessAllowedTenants) ? tenant().tenantId : accessAllowedTenants

// VPN_SCOPES entries split into [subscription] or [subscription, resource group]. Azure compares these names
// case-insensitively; lower-casing first lets union() drop repeats that would collide as role assignments.
var vpnScopeParts = union(map(filter(split(toLower(vpnScopes), separators), entry => !empty(entry)), entry => split(entry, '/')), [])
var vpnGroupScopes = filter(vpnScopeParts, parts => length(parts) == 2)
var vpnSubscriptionScopes = filter(vpnScopeParts, parts => length(parts) == 1)

// Workspace and vault resource ids (/subscriptions/<id>/resourceGroups/<name>/providers/…/<name>): split on '/',
// index 2 is the subscription, 4 the resource group and the last part the resource name.
var logWorkspaceIds = union(
  filter(split(toLower(gatewayLogWorkspaceIds), separators), id => !empty(id)),
  empty(diagnosticsWorkspaceId) ? [] : [toLower(diagnosticsWorkspaceId)]
)
var vaultIds = union(filter(split(toLower(certificateVaultIds), separators), id => !empty(id)), [])
var gatewayPrincipalIds = union(filter(split(toLower(gatewayIdentityPrincipalIds), separators), id => !empty(id)), [])
var caKeyIds = empty(caKeyId) ? [] : [toLower(caKeyId)]

// Custom roles, built from permissions.json: each role's actions are the union of the lines that name it. A role is
// created and assigned only when a line needs it, its switch is on, and it has a scope and a principal.
var permissions = loadJsonContent('permissions.json')
var permissionLines = concat(permissions.calls, permissions.gatewayReads)
var switches = {
  always: true
  allowVpnChanges: allowVpnChanges
  allowEnableDiagnostics: allowEnableDiagnostics
  manageCertificates: certificateVaultAccess == 'manage'
  allowVaultAccessGrants: allowVaultAccessGrants
}
// The resource groups (or subscriptions) under each kind of scope: a custom role may only be assigned there.
var assignableScopes = {
  vpnScopes: map(vpnScopeParts, parts => length(parts) == 2 ? '/subscriptions/${parts[0]}/resourceGroups/${parts[1]}' : '/subscriptions/${parts[0]}')
  logWorkspaces: map(logWorkspaceIds, id => join(take(split(id, '/'), 5), '/'))
  diagnosticsWorkspace: empty(diagnosticsWorkspaceId) ? [] : [join(take(split(toLower(diagnosticsWorkspaceId), '/'), 5), '/')]
  certificateVaults: map(vaultIds, id => join(take(split(id, '/'), 5), '/'))
  caKey: map(caKeyIds, id => join(take(split(id, '/'), 5), '/'))
}
var principalsOf = {
  app: ['app']
  gateways: gatewayPrincipalIds
}
var customRoles = filter(
  map(items(permissions.roles), role => {
    key: role.key
    id: guid(subscription().id, environmentName, 'vpncert-role', role.key)
    roleName: '${role.value.roleName} (${resourceToken})'
    description: role.value.for
    principal: role.value.principal
    scope: role.value.scope
    enabled: switches[role.value.grantedWhen]
    actions: union(flatten(map(filter(permissionLines, line => line.role == role.key), line => line.?actions ?? [])), [])
    dataActions: union(flatten(map(filter(permissionLines, line => line.role == role.key), line => line.?dataActions ?? [])), [])
    assignableScopes: union(assignableScopes[role.value.scope], [])
  }),
  role => role.enabled && !empty(role.assignableScopes) && !empty(principalsOf[role.principal]) && (!empty(role.actions) || !empty(role.dataActions))
)
var appPrincipalKey = resourceId(subscription().subscriptionId, rg.name, 'Microsoft.ManagedIdentity/userAssignedIdentities', appIdentityName)

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module appIdentity 'modules/user-assigned-identity.bicep' = {
  name: 'app-identity'
  scope: rg
  params: {
    name: appIdentityName
    location: location
    tags: tags
  }
}

module botIdentity 'modules/user-assigned-identity.bicep' = {
  name: 'bot-identity'
  scope: rg
  params: {
    name: 'id-vpncert-bot-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    workspaceName: 'log-vpncert-${resourceToken}'
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
    retentionInDays: telemetryRetentionDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: storageAccountName
    location: location
    tags: tags
    skuName: storageSku
    deploymentContainerName: deploymentContainerName
    deadLetterContainerName: deadLetterContainerName
    tableNames: stateTableNames
  }
}

module appResourceRoles 'modules/app-resource-roles.bicep' = {
  name: 'app-resource-roles'
  scope: rg
  dependsOn: [
    storage
    monitoring
  ]
  params: {
    storageAccountName: storageAccountName
    applicationInsightsName: applicationInsightsName
    principalId: appIdentity.outputs.principalId
    principalKey: appPrincipalKey
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  // The host starts as soon as the app exists: its identity must already reach storage and telemetry.
  dependsOn: [
    appResourceRoles
  ]
  params: {
    name: functionAppName
    planName: 'plan-vpncert-${resourceToken}'
    location: location
    tags: tags
    serviceName: serviceName
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    appIdentityId: appIdentity.outputs.id
    appIdentityClientId: appIdentity.outputs.clientId
    botIdentityId: botIdentity.outputs.id
    botIdentityClientId: botIdentity.outputs.clientId
    botTenantId: botIdentity.outputs.tenantId
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    accessAllowedTenants: allowedTenants
    accessReaders: accessReaders
    accessOperators: accessOperators
    accessApprovers: accessApprovers
    vpnScopes: vpnScopes
    diagnosticsWorkspaceId: diagnosticsWorkspaceId
    approvalsChannelId: approvalsChannelId
    approvalTimeoutHours: approvalTimeoutHours
    changesWithoutApproval: changesWithoutApproval
    durableTaskHub: durableTaskHub
    environmentLabel: appEnvironmentLabel
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

module bot 'modules/bot.bicep' = {
  name: 'bot'
  scope: rg
  params: {
    name: 'bot-vpncert-${resourceToken}'
    displayName: botDisplayName
    tags: tags
    sku: botSku
    endpoint: 'https://${functionApp.outputs.defaultHostName}/api/messages'
    botIdentityId: botIdentity.outputs.id
    botIdentityClientId: botIdentity.outputs.clientId
    tenantId: botIdentity.outputs.tenantId
  }
}

resource roleDefinitions 'Microsoft.Authorization/roleDefinitions@2022-04-01' = [for role in customRoles: {
  name: role.id
  properties: {
    roleName: role.roleName
    description: role.description
    type: 'CustomRole'
    permissions: [
      {
        actions: role.actions
        notActions: []
        dataActions: role.dataActions
        notDataActions: []
      }
    ]
    assignableScopes: role.assignableScopes
  }
}]

// Whether any role is assigned at each kind of scope (known when the deployment starts).
var hasRolesAt = toObject(objectKeys(assignableScopes), kind => kind, kind => !empty(filter(customRoles, role => role.scope == kind)))
// The grants at each kind of scope: every enabled role of that kind for every principal it is meant for.
var appGrant = {
  principalId: appIdentity.outputs.principalId
  key: appPrincipalKey
}
var grantsAt = toObject(
  objectKeys(assignableScopes),
  kind => kind,
  kind => flatten(map(filter(customRoles, role => role.scope == kind), role => role.principal == 'app'
    ? [union(appGrant, { roleDefinitionId: role.id })]
    : map(gatewayPrincipalIds, id => { roleDefinitionId: role.id, principalId: id, key: id })))
)

module vpnGroupRoles 'modules/roles-on-group.bicep' = [for (parts, i) in vpnGroupScopes: if (hasRolesAt.vpnScopes) {
  name: 'vpncert-${resourceToken}-vpn-group-roles-${i}'
  scope: resourceGroup(parts[0], parts[1])
  dependsOn: [
    roleDefinitions
  ]
  params: {
    grants: grantsAt.vpnScopes
  }
}]

module vpnSubscriptionRoles 'modules/roles-on-subscription.bicep' = [for (parts, i) in vpnSubscriptionScopes: if (hasRolesAt.vpnScopes) {
  name: 'vpncert-${resourceToken}-vpn-subscription-roles-${i}'
  scope: subscription(parts[0])
  dependsOn: [
    roleDefinitions
  ]
  params: {
    grants: grantsAt.vpnScopes
  }
}]

// The diagnostics workspace gets the log reader's grants and, when "Enable diagnostics" is on, the destination's.
module workspaceRoles 'modules/roles-on-workspace.bicep' = [for (id, i) in logWorkspaceIds: {
  name: 'vpncert-${resourceToken}-workspace-roles-${i}'
  scope: resourceGroup(split(id, '/')[2], split(id, '/')[4])
  dependsOn: [
    roleDefinitions
  ]
  params: {
    workspaceName: last(split(id, '/'))
    grants: concat(grantsAt.logWorkspaces, id == toLower(diagnosticsWorkspaceId) ? grantsAt.diagnosticsWorkspace : [])
  }
}]

module vaultRoles 'modules/roles-on-vault.bicep' = [for (id, i) in vaultIds: {
  name: 'vpncert-${resourceToken}-vault-roles-${i}'
  scope: resourceGroup(split(id, '/')[2], split(id, '/')[4])
  dependsOn: [
    roleDefinitions
  ]
  params: {
    vaultName: split(id, '/')[8]
    grants: grantsAt.certificateVaults
  }
}]

module caKeyRoles 'modules/roles-on-key.bicep' = [for (id, i) in caKeyIds: if (hasRolesAt.caKey) {
  name: 'vpncert-${resourceToken}-ca-key-roles-${i}'
  scope: resourceGroup(split(id, '/')[2], split(id, '/')[4])
  dependsOn: [
    roleDefinitions
  ]
  params: {
    vaultName: split(id, '/')[8]
    keyName: split(id, '/')[10]
    grants: grantsAt.caKey
  }
}]

// Key Vault's certificate events (README "Expiry reports", immediate alerts): on each certificate vault, an Event
// Grid system topic and a subscription delivering the two certificate expiry events to the function app.
var keyVaultEventVaultIds = keyVaultEvents ? vaultIds : []

module keyVaultEventTopics 'modules/key-vault-events.bicep' = [for (id, i) in keyVaultEventVaultIds: {
  name: 'vpncert-${resourceToken}-key-vault-events-${i}'
  scope: resourceGroup(split(id, '/')[2], split(id, '/')[4])
  params: {
    vaultName: split(id, '/')[8]
    topicName: 'evgt-vpncert-${split(id, '/')[8]}'
    functionAppId: functionApp.outputs.id
    deadLetterStorageAccountId: storage.outputs.id
    deadLetterContainerName: deadLetterContainerName
    tags: tags
  }
}]

module keyVaultEventDeadLetterRoles 'modules/key-vault-events-dead-letter-role.bicep' = [for (id, i) in keyVaultEventVaultIds: {
  name: 'vpncert-${resourceToken}-key-vault-events-dead-letters-${i}'
  scope: rg
  params: {
    storageAccountName: storageAccountName
    containerName: deadLetterContainerName
    principalId: keyVaultEventTopics[i].outputs.principalId
    principalKey: '${id}/providers/Microsoft.EventGrid/systemTopics/evgt-vpncert-${split(id, '/')[8]}'
  }
}]

@description('Region of the deployment (azd).')
output AZURE_LOCATION string = location

@description('Tenant of the deployment (azd).')
output AZURE_TENANT_ID string = tenant().tenantId

@description('Resource group of the app (azd).')
output AZURE_RESOURCE_GROUP string = rg.name

@description('Function app name.')
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

// Not named AZURE_CLIENT_ID: azd hooks export outputs, and that name would steer a developer's DefaultAzureCredential.
@description('Client id of the app identity (the app\'s AZURE_CLIENT_ID setting).')
output APP_IDENTITY_CLIENT_ID string = appIdentity.outputs.clientId

@description('The bot\'s app id: the BOT_ID placeholder of appPackage/manifest.json.')
output BOT_ID string = botIdentity.outputs.clientId

@description('Host name of the messaging endpoint.')
output BOT_DOMAIN string = functionApp.outputs.defaultHostName

@description('Bot Framework messaging endpoint.')
output BOT_ENDPOINT string = 'https://${functionApp.outputs.defaultHostName}/api/messages'

@description('Azure Bot resource name.')
output BOT_SERVICE_NAME string = bot.outputs.name

@description('Table endpoint the bot keeps its state in.')
output STATE_TABLES_ENDPOINT string = storage.outputs.tableEndpoint
