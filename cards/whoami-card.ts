import type { Role } from '../core/commands/command-spec';
import type { AdaptiveCard } from './adaptive-card';
import { card, facts, heading, paragraph } from './adaptive-card';

export interface WhoAmIModel {
  readonly displayName?: string;
  readonly aadObjectId?: string;
  readonly tenantId?: string;
  readonly tenantAllowed: boolean;
  readonly roles: readonly Role[];
  readonly environmentName: string;
}

export function whoAmICard(model: WhoAmIModel): AdaptiveCard {
  const body = [
    heading('Who am I'),
    facts([
      ['Name', model.displayName ?? '(not provided)'],
      ['Entra object id', model.aadObjectId ?? '(none: this channel does not identify you)'],
      ['Tenant', model.tenantId ?? '(unknown)'],
      ['Roles', model.roles.length > 0 ? model.roles.join(', ') : 'none'],
      ['Environment', model.environmentName],
    ]),
  ];
  if (!model.tenantAllowed) {
    body.push(paragraph('Your tenant is not on the bot\'s allow-list, so you have no roles here. Ask the bot operators to add it.', { tone: 'warning' }));
  } else if (model.roles.length === 0) {
    body.push(paragraph('You have no role yet. Ask the bot operators to add your Entra object id (above) as reader, operator or approver.', { tone: 'warning' }));
  }
  return card(body);
}
