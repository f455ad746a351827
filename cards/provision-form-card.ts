import type { FieldProblem, ProvisionField } from '../core/provision/provision-request';
import { MAX_FIELD_CHARS } from '../core/provision/provision-request';
import type { AdaptiveCard, CardElement } from './adaptive-card';
import { card, cleanValue, heading, literal, paragraph } from './adaptive-card';
import { MAX_CHAIN_FORM_CHARS } from './remedy-buttons';
import { executeAction, VERBS } from './verbs';

/** What the form shows in its inputs (as last sent, so a corrected form keeps what was right). */
export type ProvisionFormValues = Partial<Record<ProvisionField, string>>;

/**
 * `provision` without arguments: the same fields as the inline command, as Adaptive Card inputs, sent with
 * Action.Execute. The bot validates what comes back (core/provision/provision-request.ts) and, when something is
 * wrong, answers with this form again: each problem under its own input, the values kept (except the chain: pasted
 * certificates are not echoed back into a card).
 */
export function provisionFormCard(values: ProvisionFormValues = {}, problems: readonly FieldProblem[] = []): AdaptiveCard {
  const body: CardElement[] = [heading('Provision a site'), paragraph("Everything Azure would reject is checked before approval is asked; nothing changes until an approver approves the plan.", { subtle: true })];
  if (problems.length > 0) body.push({ type: 'TextBlock', text: `Please fix ${problems.length === 1 ? 'the field marked below' : `the ${problems.length} problems marked below`}.`, color: 'attention', weight: 'bolder', wrap: true });
  const input = (id: ProvisionField, label: string, placeholder: string, opts: { required?: boolean; multiline?: boolean; choices?: readonly [string, string][] } = {}) => {
    const mine = problems.filter((p) => p.field === id);
    // What was typed comes back into the input cleaned (no control, zero-width or bidi characters) and bounded.
    const raw = id === 'chain' ? undefined : values[id];
    const max0 = id === 'chain' ? MAX_CHAIN_FORM_CHARS : MAX_FIELD_CHARS[id as keyof typeof MAX_FIELD_CHARS];
    const value = raw === undefined ? undefined : cleanValue(raw, max0);
    const max = max0;
    body.push(
      opts.choices
        ? { type: 'Input.ChoiceSet', id, label, style: 'compact', value: value ?? opts.choices[0]![0], choices: opts.choices.map(([v, title]) => ({ title, value: v })) }
        : {
            type: 'Input.Text',
            id,
            label,
            placeholder,
            maxLength: max,
            ...(opts.multiline ? { isMultiline: true } : {}),
            ...(opts.required ? { isRequired: true, errorMessage: `${label} is required.` } : {}),
            ...(value !== undefined ? { value } : {}),
          },
    );
    // Messages quote what was typed: shown literally, never as markdown.
    for (const p of mine) body.push(literal([{ text: `${p.message} (${p.code})`, tone: 'attention' }], { max: 600 }));
  };
  input('site', 'Site name', 'site-rome', { required: true });
  input('ip', "Device's public IPv4 address", '203.0.113.50');
  input('fqdn', 'or its DNS name', 'vpn.rome.contoso.example');
  input('prefixes', 'Address prefixes behind the device (comma-separated)', '10.50.0.0/16', { required: true });
  input('subject', "Device certificate's subject", 'CN=rome-vpn.contoso.example', { required: true });
  input('chain', "Device's CA certificates: root and intermediates, PEM (a device certificate may come along)", '-----BEGIN CERTIFICATE-----', { required: true, multiline: true });
  input('gateway', 'VPN gateway (when the scope has several)', 'vpngw-hub');
  input('policy', 'IPsec/IKE policy', '', { choices: [['default', "Azure's default proposals"], ['strong', 'Strong custom policy (GCMAES256/SHA384/ECP384)']] });
  input('outbound', "Azure's certificate: ca, external (a CSR for your own CA), or existing:<Key Vault certificate name>", 'ca');
  return card(body, [executeAction('Check and plan', VERBS.provisionSite, {}, { style: 'positive' })]);
}
