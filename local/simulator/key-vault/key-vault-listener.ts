import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { createKeyVaultHandler } from './key-vault-handler';
import type { KeyVaultStore } from './key-vault-store';

export interface KeyVaultListener {
  /** The vault URL the SDK clients use: `https://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves one vault on its own loopback HTTPS port, without the rest of the Azure simulator: the handler does Key
 * Vault's challenge authentication itself. Used by the Key Vault tests and by anything that needs only a vault;
 * the full simulator mounts `createKeyVaultHandler` on its own per-vault listeners instead.
 */
export async function startKeyVaultListener(store: KeyVaultStore, vaultName: string, opts: { tls: { certPem: string; keyPem: string }; port?: number }): Promise<KeyVaultListener> {
  const handler = createKeyVaultHandler(store);
  const sockets = new Set<Socket>();
  const server = createServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, (req, res) => {
    handler(req, res, { vaultName, path: req.url ?? '/' }).catch((error: unknown) => {
      console.error('[key-vault] handler error', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'InternalServerError', message: 'The simulated Key Vault failed to process the request.' } }));
    });
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  store.setVaultUrl(vaultName, url);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
