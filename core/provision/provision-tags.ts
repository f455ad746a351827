/** Tags a provisioning leaves on what it created (Remove deletes only what carries them; status finds one under way). */
export const PROVISION_TAGS = {
  /** The provisioning's id, on the local network gateway, the connection and the certificate version it issued. */
  provisionedBy: 'provisioned-by',
  /** On the connection: the local network gateway was created by the same provisioning. */
  createdLng: 'provisioned-lng',
  site: 'site',
} as const;
