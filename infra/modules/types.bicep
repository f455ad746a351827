// Types shared by the modules.

@export()
@description('Resource tags: names to string values.')
type tags = {
  *: string
}

@export()
@description('One role assignment: a role definition id (a GUID) for a principal. key names the principal in the assignment\'s name; it is known before the deployment runs (the identity\'s resource id, or the principal id itself), so what-if can predict the name.')
type grant = {
  roleDefinitionId: string
  principalId: string
  key: string
}
