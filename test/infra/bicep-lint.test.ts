import { describe, expect, it } from 'vitest';
import type { BicepFile } from './bicep-lint';
import { BicepSyntaxError, lintBicep, parseBicep } from './bicep-lint';

const root = '/project';

function project(sources: Record<string, string>): Map<string, BicepFile> {
  return new Map(Object.entries(sources).map(([path, src]) => [`${root}/${path}`, parseBicep(src, `${root}/${path}`)]));
}

function problems(sources: Record<string, string>): string[] {
  return lintBicep(project(sources), { root, roleTableFile: `${root}/roles.bicep` }).map((p) => `${p.file}: ${p.message}`);
}

const roles = `
@export()
var builtInRoles = {
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7' // Reader
}
`;

const child = `
import { builtInRoles } from 'roles.bicep'

@description('Principal.')
param principalId string

@minLength(3)
@description('Label.')
param label string = 'abc'

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, builtInRoles.reader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.reader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Echo.')
output echoed string = '\${label}-\${principalId}'
`;

const main = `
targetScope = 'subscription'

@description('Principal.')
param principalId string

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-x'
  location: 'westeurope'
}

module roleModule 'child.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    principalId: principalId
  }
}

@description('Echo.')
output echoed string = 'said \${roleModule.outputs.echoed}'
`;

describe('lintBicep', () => {
  it('accepts a consistent project', () => {
    expect(problems({ 'roles.bicep': roles, 'child.bicep': child, 'main.bicep': main })).toEqual([]);
  });

  it('reports module parameters the module does not declare, and required ones not passed', () => {
    const broken = main.replace('principalId: principalId', 'principalID: principalId');
    expect(problems({ 'roles.bicep': roles, 'child.bicep': child, 'main.bicep': broken })).toEqual([
      'main.bicep: module roleModule passes principalID, which child.bicep does not declare',
      'main.bicep: module roleModule does not pass required param principalId of child.bicep',
    ]);
  });

  it('reports outputs a module does not have, also inside string interpolation', () => {
    const broken = main.replace('roleModule.outputs.echoed', 'roleModule.outputs.echo');
    expect(problems({ 'roles.bicep': roles, 'child.bicep': child, 'main.bicep': broken })).toEqual(['main.bicep: module roleModule has no output echo']);
  });

  it('reports missing module files and imports, undeclared names, unknown functions and unknown properties of imported tables', () => {
    expect(problems({ 'roles.bicep': roles, 'main.bicep': main })).toEqual(['main.bicep: module roleModule: child.bicep does not exist']);
    const typos = child.replace('resourceGroup().id, principalId', 'resourceGroup().id, principalid').replace('subscriptionResourceId(', 'subscriptionResourceID(').replace("builtInRoles.reader)\n  properties", "builtInRoles.readr)\n  properties");
    expect(problems({ 'roles.bicep': roles, 'child.bicep': typos, 'main.bicep': main })).toEqual([
      "child.bicep: role assignment assignment: roleDefinitionId must be subscriptionResourceId('Microsoft.Authorization/roleDefinitions', <id from the role table>)",
      'child.bicep: principalid is not declared',
      'child.bicep: builtInRoles has no property readr',
      'child.bicep: unknown function subscriptionResourceID()',
    ]);
  });

  it('reports a module deployed at a scope other than its targetScope', () => {
    const broken = main.replace('scope: rg', "scope: subscription('x')");
    expect(problems({ 'roles.bicep': roles, 'child.bicep': child, 'main.bicep': broken })).toEqual(['main.bicep: module roleModule deploys child.bicep (targetScope resourceGroup) at subscription scope']);
  });

  it('insists on guid(scope, principal, role) names, role ids from the table and service principal assignments', () => {
    const twoArgs = child.replace('guid(resourceGroup().id, principalId, builtInRoles.reader)', 'guid(principalId, builtInRoles.reader)');
    expect(problems({ 'roles.bicep': roles, 'child.bicep': twoArgs, 'main.bicep': main })).toEqual(['child.bicep: role assignment assignment: guid() takes 2 arguments, not (scope, principal, role)']);
    const fixedName = child.replace('guid(resourceGroup().id, principalId, builtInRoles.reader)', "'fixed-name'");
    expect(problems({ 'roles.bicep': roles, 'child.bicep': fixedName, 'main.bicep': main })).toEqual(['child.bicep: role assignment assignment is not named with guid(scope, principal, role)']);
    const literalId = child.replace("'Microsoft.Authorization/roleDefinitions', builtInRoles.reader", "'Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7'");
    expect(problems({ 'roles.bicep': roles, 'child.bicep': literalId, 'main.bicep': main })).toEqual(['child.bicep: GUID literal acdd72a7-3385-48ef-bd42-f606fba81ae7: take role ids from the role table']);
    const user = child.replace("principalType: 'ServicePrincipal'", "principalType: 'User'");
    expect(problems({ 'roles.bicep': roles, 'child.bicep': user, 'main.bicep': main })).toEqual(["child.bicep: role assignment assignment must set principalType 'ServicePrincipal'"]);
  });

  it('checks decorators against the parameter type and the default against its own constraints', () => {
    const broken = child
      .replace("@minLength(3)\n@description('Label.')\nparam label string = 'abc'", "@minLength(4)\n@description('Label.')\nparam label string = 'abc'")
      .replace("@description('Principal.')\nparam principalId string", "@minValue(1)\nparam principalId string");
    expect(problems({ 'roles.bicep': roles, 'child.bicep': broken, 'main.bicep': main })).toEqual([
      'child.bicep: @minValue does not apply to string',
      'child.bicep: param principalId has no @description',
      'child.bicep: default of label is shorter than @minLength',
    ]);
    const allowed = "@allowed([\n  'F0'\n  'S1'\n])\n@description('Tier.')\nparam sku string = 'F1'\n";
    expect(problems({ 'roles.bicep': roles, 'child.bicep': child + allowed, 'main.bicep': main })).toEqual(['child.bicep: default of sku is not in @allowed']);
  });

  it('rejects text a compiler would not parse', () => {
    expect(() => parseBicep("var x = concat([1, 2)\n")).toThrow(BicepSyntaxError);
    expect(() => parseBicep("var x = 'open\n")).toThrow(/unterminated string/);
    expect(() => parseBicep("var x = 'a\\qb'\n")).toThrow(/unknown escape/);
    expect(() => parseBicep('func f() string => 1\n')).toThrow(/unsupported statement/);
    expect(() => parseBicep("@description('dangling')\n")).toThrow(/decorator without a declaration/);
  });
});
