// One user-assigned managed identity. The app and the bot each get their own, so the identity that Bot Service
// trusts holds no Azure role and the identity that reads Azure cannot answer as the bot.

import { tags as tagsType } from 'types.bicep'

@minLength(3)
@maxLength(128)
@description('Identity name.')
param name string

@description('Azure region.')
param location string

@description('Tags for the identity.')
param tags tagsType

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id, for attaching the identity to the function app and the bot.')
output id string = identity.id

@description('Client (application) id: AZURE_CLIENT_ID for the app identity, MicrosoftAppId for the bot identity.')
output clientId string = identity.properties.clientId

@description('Object id of the service principal, the principal of role assignments.')
output principalId string = identity.properties.principalId

@description('Entra tenant of the identity (MicrosoftAppTenantId for the bot).')
output tenantId string = identity.properties.tenantId
