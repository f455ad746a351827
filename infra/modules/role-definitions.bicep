// Built-in Azure role definition ids, each annotated with its role name. Every id below was checked against
// Microsoft's "Azure built-in roles" reference (the role's JSON "name" field) on 2026-11-23; none is guessed.
// Role assignments import this one table, so an id is written (and reviewed) in exactly one place. They cover only
// the app's own resources; everything the app does on the VPN estate is a custom role built from permissions.json.

@export()
var builtInRoles = {
  // Function host storage (AzureWebJobsStorage) and the Flex Consumption deployment container.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  // Durable Functions (Azure Storage backend) work-item and control queues.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  // Durable Functions history/instance tables and the bot's own tables (conversations, audit log).
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
  // Event Grid's dead-letter writes (Key Vault system topics' identities, on the dead-letter container only).
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor
  // Telemetry to Application Insights with Entra authentication (local auth is disabled on the component).
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher
}
