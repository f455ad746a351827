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
  /** Sends every open stream one item of the Playground's log (`{logAction, log}`), as a text frame. */
  log(item: unknown): void;
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

/** What the Playground answers while one of its log listeners hangs up (it awaits writing to each of them). */
const LISTENER_LEAVING: FakeAnswer = { status: 500, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ error: { code: 'WebSocketError', message: 'WebSocket is not open: readyState 2 (CLOSING)' } }) };

/**
 * The few routes of the Agents Playground the client uses, on loopback: its config (failing the first
 * `configFailures` calls as the Playground does while a log listener hangs up), the message post (answered with
 * `answerMessage`), a button press (answered "Done."), a ping, and a WebSocket stream that accepts the connection
 * and says only what `log` gives it.
 */
export async function startFakePlayground(answerMessage: (body: string) => FakeAnswer, options: { configFailures?: number } = {}): Promise<FakePlayground> {
  const posted: string[] = [];
  let configFailures = options.configFailures ?? 0;
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
      if (req.method === 'GET' && req.url === '/_internal/v1/config') {
        if (configFailures-- > 0) return send(res, LISTENER_LEAVING);
        return send(res, { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify(CONFIG) });
      }
      if (req.method === 'GET' && req.url === '/_debug/ping') return send(res, { status: 200, contentType: 'text/plain', body: 'pong' });
      if (req.method === 'POST' && /^\/_conversation\/v1\/conversations\/[^/]+\/messages$/.test(req.url ?? '')) {
        posted.push(body);
        return send(res, answerMessage(body));
      }
      if (req.method === 'POST' && req.url === '/_conversation/v1/invoke') return send(res, { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Done.' }) });
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
    log: (item) => {
      // An unmasked text frame (RFC 6455 5.2): FIN + opcode 1, then the payload length in 7, 7+16 or 7+64 bits.
      const payload = Buffer.from(JSON.stringify(item));
      const length = payload.length;
      const header = length < 126 ? Buffer.from([0x81, length]) : length < 65_536 ? Buffer.from([0x81, 126, length >> 8, length & 0xff]) : Buffer.concat([Buffer.from([0x81, 127]), bigEndian64(length)]);
      for (const socket of sockets) socket.write(Buffer.concat([header, payload]));
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function bigEndian64(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(value));
  return bytes;
}
