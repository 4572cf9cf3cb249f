// Serves the built explorer (dist/) over HTTP on 127.0.0.1, no dependencies.
//   node serve.mjs [--port 8080] [--host 127.0.0.1] [--dir dist]
// Port 0 picks a free one. Prints the URL once listening.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, option('dir', 'dist'));
const host = option('host', '127.0.0.1');
const port = Number(option('port', '8080'));

/** The file at `path` (a decoded URL path) under root; null when there is none or it is outside root. */
async function file(path) {
  const full = normalize(join(root, path));
  if (full !== root && !full.startsWith(root + sep)) return null;
  try {
    const s = await stat(full);
    return s.isFile() ? full : null;
  } catch (_) {
    return null;
  }
}

function reply(res, status, text) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}

async function handle(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    reply(res, 405, 'method not allowed\n');
    return;
  }
  let path;
  try {
    path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch (_) {
    reply(res, 400, 'bad URL\n'); // e.g. /%E0
    return;
  }
  if (path.includes('\0')) {
    reply(res, 400, 'bad URL\n');
    return;
  }
  // Unknown paths get the app (its routes are in the hash).
  const found = (path !== '/' && (await file(path))) || (await file('/index.html'));
  if (!found) {
    reply(res, 404, 'not built: run scripts/explorer.sh\n');
    return;
  }
  let body;
  try {
    body = await readFile(found);
  } catch (e) {
    // Removed or replaced since the stat (a rebuild), or unreadable.
    reply(res, e.code === 'ENOENT' || e.code === 'EISDIR' ? 404 : 500, `cannot read ${path}\n`);
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(found)] ?? 'application/octet-stream',
    'cache-control': found.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

// No request can stop the server: anything unexpected is a 500.
const server = createServer((req, res) => {
  handle(req, res).catch((e) => {
    console.error(`explorer: ${req.method} ${req.url}: ${e.message}`);
    if (res.headersSent) res.destroy();
    else reply(res, 500, 'internal error\n');
  });
});

server.listen(port, host, () => {
  const { port: actual } = server.address();
  console.log(`explorer: serving ${root} at http://${host}:${actual}/`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
