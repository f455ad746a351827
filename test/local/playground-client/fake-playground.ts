import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the real Playground (Express) answers a JSON body over its 100 KB limit, byte for byte. */
export const EXPRESS_413_PAGE = '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Payload Too Large</pre>\n</body>\n</html>\n';

/** Express's page outside production: the error's name, then its stack, split by <br>. */
export const EXPRESS_500_DEV_PAGE =
  '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>TypeError: Cannot read properties of undefined (reading &#39;id&#39;)<br> &nbsp; &nbsp;at /snapshot/playground/dist/server/index.js:2:4711<br> &nbsp; &nbsp;at Layer.handle [as handle_request] (/snapshot/node_modules/express/lib/router/layer.js:95:5)</pre>\n</body>\n</html>\n';

export interface FakeAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface FakePlayground {
  readonly url: string;
  /** Bodies of the message posts received, in order. */
  readonly posted: string[];
  close(): Promise<void>;
}

const CONFIG = {
  config: {
    tenantId: 'tenant-0',
    bot: { id: 'bot-0', name: 'VPN Cert Bot' },
    currentUser: { id: 'user-id-0', name: 'Alex Wilber', aadObjectId: '5a7c0de0-0000-4000-8000-00000000a001' },
    users: [{ id: 'user-id-0', name: 'Alex Wilber', aadObjectId: '5a7c0de0-0000-4000-8000-00000000a001' }],
    personalChat: { id: 'personal-0' },
    groupChats: [{ id: 'group-0', members: ['user-id-0'] }],
    teams: [{ id: 'team-0', channels: [{ id: 'channel-0', name: 'General' }] }],
  },
};

/**
 * The few routes of the Agents Playground the client uses, on loopback: its config, the message post (answered with
 * `answerMessage`), a ping, and a WebSocket stream that accepts the connection and stays silent.
 */
export async function startFakePlayground(answerMessage: (body: string) => FakeAnswer): Promise<FakePlayground> {
  const posted: string[] = [];
  const sockets = new Set<Socket>();
  const send = (res: ServerResponse, answer: FakeAnswer) => {
    res.writeHead(answer.status, { 'content-type': answer.contentType });
    res.end(answer.body);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'GET' && req.url === '/_internal/v1/config') return send(res, { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify(CONFIG) });
      if (req.method === 'GET' && req.url === '/_debug/ping') return send(res, { status: 200, contentType: 'text/plain', body: 'pong' });
      if (req.method === 'POST' && /^\/_conversation\/v1\/conversations\/[^/]+\/messages$/.test(req.url ?? '')) {
        posted.push(body);
        return send(res, answerMessage(body));
      }
      send(res, { status: 404, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ code: 'NotFound', message: 'No such route' }) });
    });
  });
  // Just enough of RFC 6455 for the client's stream to open: the handshake, then silence.
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    posted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
