// A target that answers a normal-looking login, probe, refresh and logout with script payloads everywhere a
// server controls: bodies (HTML, JSON, SVG, binary), header names and values, cookie names, values and
// attributes, JWT header and claims, redirect locations. Every payload, if it ever ran, would set the sentinel
// `window.__authlensPwned`; the app must show all of it as text.

import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

export const SENTINEL = '__authlensPwned';

const set = (n) => `window.${SENTINEL}=${n}`;

/** The payloads, each a different way markup or script could sneak into a page. */
export const PAYLOADS = [
  `<img src=x onerror=${set(1)}>`,
  `<script>${set(2)}</script>`,
  `<svg onload=${set(3)}><circle r=9 /></svg>`,
  `javascript:${set(4)}`,
  `"><iframe src="javascript:${set(5)}"></iframe>`,
  `<a href="javascript:${set(6)}">click me</a>`,
  `{@html '<img src=x onerror=${set(7)}>'}`,
  `<math><mtext><table><mglyph><style><img src=x onerror=${set(8)}>`,
  `\u202e<details open ontoggle=${set(9)}>`,
  `<style>@import 'javascript:${set(10)}';</style>`,
];

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function jwt(seconds) {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'HS256', typ: 'JWT', kid: PAYLOADS[0], jku: PAYLOADS[3] };
  const claims = {
    sub: PAYLOADS[1],
    name: PAYLOADS[2],
    iss: PAYLOADS[3],
    aud: [PAYLOADS[4], PAYLOADS[5]],
    role: PAYLOADS[6],
    note: PAYLOADS[7],
    [PAYLOADS[8]]: PAYLOADS[9],
    iat: now,
    exp: now + seconds,
  };
  const body = `${b64url(header)}.${b64url(claims)}`;
  return `${body}.${createHmac('sha256', 'hostile-secret').update(body).digest('base64url')}`;
}

const HTML_PAGE = `<!doctype html><html><head><title>${PAYLOADS[1]}</title></head><body>${PAYLOADS.join('\n')}</body></html>`;

function send(res, status, headers, body) {
  res.writeHead(status, headers);
  res.end(body);
}

function hostileHeaders(extra = {}) {
  return {
    'X-Payload': PAYLOADS[0],
    'X-Script': PAYLOADS[1],
    'X-Link': PAYLOADS[3],
    // Header names are tokens (no markup possible); a legal name that looks like an attribute still is text.
    'onerror': set(14),
    ...extra,
  };
}

/** Start on 127.0.0.1 (ephemeral port). Returns { url, close }. */
export async function startHostileServer() {
  const server = createServer((req, res) => {
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > 1 << 20) req.destroy();
    });
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'POST' && path === '/login') {
        const access = jwt(300);
        const refresh = `${randomBytes(16).toString('hex')}${PAYLOADS[0]}`;
        return send(
          res,
          200,
          hostileHeaders({
            'Content-Type': 'application/json',
            'Set-Cookie': [
              `sid=${encodeURIComponent(PAYLOADS[1])}${randomBytes(8).toString('hex')}; Path=/; HttpOnly; Secure; SameSite=Lax`,
              `${PAYLOADS[0].replace(/[ =;]/g, '_')}=${PAYLOADS[2].replace(/[;]/g, '_')}; Path=/`,
              `evil=${PAYLOADS[3].replace(/[;]/g, '_')}; Domain=${PAYLOADS[5].replace(/[;]/g, '_')}; Path=${PAYLOADS[4].replace(/[;]/g, '_')}`,
              `bidi=value; SameSite=${PAYLOADS[6].replace(/[;]/g, '_')}; Max-Age=60`,
            ],
          }),
          JSON.stringify({ access_token: access, refresh_token: refresh, expires_in: 300, message: PAYLOADS[7], html: HTML_PAGE }),
        );
      }
      if (req.method === 'GET' && path === '/me') {
        return send(res, 200, hostileHeaders({ 'Content-Type': 'text/html; charset=utf-8' }), HTML_PAGE);
      }
      if (req.method === 'POST' && path === '/refresh') {
        return send(
          res,
          200,
          hostileHeaders({ 'Content-Type': 'application/json' }),
          JSON.stringify({ access_token: jwt(300), refresh_token: `${randomBytes(16).toString('hex')}${PAYLOADS[2]}`, expires_in: 300 }),
        );
      }
      if (req.method === 'POST' && path === '/logout') {
        // The body is an SVG with a script: it must show as text or hex, never render.
        return send(
          res,
          200,
          hostileHeaders({ 'Content-Type': 'image/svg+xml' }),
          `<svg xmlns="http://www.w3.org/2000/svg" onload="${set(11)}"><script>${set(12)}</script></svg>`,
        );
      }
      if (path === '/redirect') {
        return send(res, 302, hostileHeaders({ Location: `javascript:${set(13)}` }), '');
      }
      return send(res, 404, hostileHeaders({ 'Content-Type': 'application/octet-stream' }), Buffer.from([0, 1, 2, 0x3c, 0x73, 0xff, 0xfe]));
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}

/** A profile for this server whose own name and user also carry payloads. */
export function hostileProfile(url) {
  return `name = "Hostile ${PAYLOADS[0].replace(/"/g, '\\"')}"
base_url = "${url}"

[user]
username = "${PAYLOADS[2].replace(/"/g, '\\"')}"

[login]
method = "POST"
path = "/login"
json = { username = "{{username}}", password = "{{password}}" }
extract = [
  { name = "access", kind = "access", from = "json", pointer = "/access_token", expires_in = "/expires_in" },
  { name = "refresh", kind = "refresh", from = "json", pointer = "/refresh_token" },
]

[probe]
method = "GET"
path = "/me"
bearer = "access"

[refresh]
method = "POST"
path = "/refresh"
json = { refresh_token = "{{refresh}}" }
extract = [
  { name = "access", kind = "access", from = "json", pointer = "/access_token", expires_in = "/expires_in" },
  { name = "refresh", kind = "refresh", from = "json", pointer = "/refresh_token", optional = true },
]

[logout]
method = "POST"
path = "/logout"
bearer = "access"
`;
}
