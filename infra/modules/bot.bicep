// The Azure Bot registration with the Teams channel. Its app id is the bot identity's client id
// (msaAppType UserAssignedMSI): no app secret exists anywhere, and local (key) authentication is off.

import { tags as tagsType } from 'types.bicep'

@minLength(2)
@maxLength(64)
@description('Bot resource name (letters, digits, -, _ and .).')
param name string

@minLength(1)
@maxLength(42)
@description('Display name of the bot.')
param displayName string

@description('Tags for the bot.')
param tags tagsType

@allowed([
  'F0'
  'S1'
])
@description('Pricing tier. Teams is a standard channel, free on either tier.')
param sku string

@description('https URL of the messaging endpoint (the function app\'s /api/messages).')
param endpoint string

@description('Resource id of the bot identity.')
param botIdentityId string

@description('Client id of the bot identity: the bot\'s app id.')
param botIdentityClientId string

@description('Entra tenant of the bot identity.')
param tenantId string

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: name
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: {
    name: sku
  }
  properties: {
    displayName: displayName
    endpoint: endpoint
    msaAppId: botIdentityClientId
    msaAppType: 'UserAssignedMSI'
    msaAppMSIResourceId: botIdentityId
    msaAppTenantId: tenantId
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      enableCalling: false
      acceptedTerms: true
    }
  }
}

@description('Bot resource name.')
output name string = bot.name
