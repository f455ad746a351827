// Built-in Azure role definition ids, each annotated with its role name. Every id below was checked against
// Microsoft's "Azure built-in roles" reference (the role's JSON "name" field) on 2026-11-23; none is guessed.
// Role assignments import this one table, so an id is written (and reviewed) in exactly one place.

@export()
var builtInRoles = {
  // Function host storage (AzureWebJobsStorage) and the Flex Consumption deployment container.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  // Durable Functions (Azure Storage backend) work-item and control queues.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  // Durable Functions history/instance tables and the bot's own tables (conversations, audit log).
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
  // Telemetry to Application Insights with Entra authentication (local auth is disabled on the component).
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher
  // status: read gateways, connections and local network gateways (*/read).
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7' // Reader
  // diagnose: tunnel metrics and the gateways' diagnostic settings (*/read plus workspace search).
  monitoringReader: '43d0d8ad-25c7-4714-9337-8ba259a9fe05' // Monitoring Reader
  // diagnose: run KQL over the gateway IKE and tunnel logs (does not include the workspace shared keys).
  logAnalyticsReader: '73c42c96-874c-492b-b04d-ab87d138a893' // Log Analytics Reader
  // "Enable diagnostics": Microsoft.Insights/diagnosticSettings/* on the gateway, and
  // Microsoft.OperationalInsights/workspaces/sharedKeys/action on the destination workspace.
  monitoringContributor: '749f88d5-cbae-40b8-bcfc-e573ddc772fa' // Monitoring Contributor
  // provision and rotate (opt-in): create and update connections and local network gateways.
  networkContributor: '4d97b98b-1d4f-4787-a291-c67834d212e7' // Network Contributor
  // status: certificate metadata and public certificate (vaults/*/read) without secret values or private keys.
  keyVaultReader: '21090545-7ca7-4776-b22c-e363652d74d2' // Key Vault Reader
  // rotate (opt-in): create certificates, CSRs and merge issued certificates.
  keyVaultCertificatesOfficer: 'a4417e6f-fecd-4de8-b567-7b0420556985' // Key Vault Certificates Officer
}
