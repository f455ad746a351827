/** The Extended Key Usage object identifiers Azure requires of the outbound certificate (and Key Vault's default policy has). */
export const serverAuth = '1.3.6.1.5.5.7.3.1';
export const clientAuth = '1.3.6.1.5.5.7.3.2';
