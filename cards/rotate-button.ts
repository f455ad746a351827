import { executeAction, VERBS } from './verbs';

/**
 * The Rotate button for a site's outbound certificate, wherever an expiring or drifting one is shown (status, fleet
 * rows, diagnosis notes, expiry reports). `drift`: the connection uses an older version than the newest enabled one,
 * so the rotation moves it there (`--source vault`); otherwise a new certificate is made (the default source).
 * Pressing it asks for the change as `rotate <site> outbound` would: planned, then approved by someone else.
 */
export function rotateOutboundButton(site: string, options: { readonly drift?: boolean } = {}): Record<string, unknown> & { type: 'Action.Execute' } {
  return options.drift
    ? executeAction('Rotate to newest version', VERBS.rotateOutbound, { site, source: 'vault' })
    : executeAction('Rotate', VERBS.rotateOutbound, { site });
}
