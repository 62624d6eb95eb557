// http_hello.js: examples/http_hello.lua in Node, line for line, on the
// net module, for bench/http: the same parsing, the same answers, the same
// keep-alive, batching and pause-on-backpressure rules.
//
//   node bench/http_hello.js [port] [host]   (port 0, the default: any free
//                                             port; host: 127.0.0.1)
//
// It prints "listening on HOST port N" and stops on SIGINT or SIGTERM as
// the Lua example does.
'use strict';

const net = require('net');

const BODY = 'Hello, world!\n';
const MAX_HEAD = 8192;
const IDLE_MS = 5000;
const GRACE_MS = 2000;

const where = process.argv[2] || '0';
const host = process.argv[3] || '127.0.0.1';
if (!/^\d+$/.test(where) || Number(where) > 65535) {
  process.stderr.write('usage: http_hello.js [port] [host]\n');
  process.exit(2);
}

const conns = new Map();
let stopping = false;

const STATUS = {
  200: 'OK', 400: 'Bad Request', 405: 'Method Not Allowed',
  431: 'Request Header Fields Too Large', 501: 'Not Implemented',
  505: 'HTTP Version Not Supported',
};

function build(status, keepAlive, announce, head) {
  const body = status === 200 ? BODY : STATUS[status] + '\n';
  let extra = '';
  if (!keepAlive) {
    extra = 'Connection: close\r\n';
  } else if (announce) {
    extra = 'Connection: keep-alive\r\n';
  }
  if (status === 405) extra += 'Allow: GET, HEAD\r\n';
  return 'HTTP/1.1 ' + status + ' ' + STATUS[status] + '\r\n' +
    'Content-Type: text/plain\r\n' +
    'Content-Length: ' + body.length + '\r\n' +
    'Date: ' + new Date().toUTCString() + '\r\n' +
    extra + '\r\n' +
    (head ? '' : body);
}

let cache = new Map();
let cacheSecond = -1;

function response(status, keepAlive, announce, head) {
  const key = status * 8 + (keepAlive ? 4 : 0) + (announce ? 2 : 0) + (head ? 1 : 0);
  const now = Math.floor(Date.now() / 1000);
  if (now !== cacheSecond) {
    cache = new Map();
    cacheSecond = now;
  }
  let r = cache.get(key);
  if (!r) {
    r = build(status, keepAlive, announce, head);
    cache.set(key, r);
  }
  return r;
}

const REQUEST_LINE = /([A-Z]+) [^\s]+ HTTP\/(\d)\.(\d)\r?\n/y;
const HEADER = /([\w!#$%&'*+.^`|~-]+):[ \t]*([^\r\n]*)/y;

// Reads the head of the request that starts at first in buf, line by line
// up to the empty line that ends it. Returns null if the head is not
// complete yet; else [status, keepAlive, announce, head, bodyLength, last]
// with last the index of the head's last character; a request line or
// header that does not parse gives 400 at once, with keepAlive false.
function parseRequest(buf, first) {
  let eol = buf.indexOf('\n', first);
  if (eol === -1) return null;
  REQUEST_LINE.lastIndex = first;
  const m = REQUEST_LINE.exec(buf);
  if (!m) return [400, false];
  const [, method, major, minor] = m;
  if (major !== '1') return [505, false];
  let keepAlive = minor !== '0';
  let announce = false;
  let hasHost = false;
  let length;
  let pos = eol + 1;
  for (;;) {
    eol = buf.indexOf('\n', pos);
    if (eol === -1) return null;
    if (eol === pos || (eol === pos + 1 && buf.charCodeAt(pos) === 13)) break;
    HEADER.lastIndex = pos;
    const h = HEADER.exec(buf);
    if (!h) return [400, false];
    const name = h[1].toLowerCase();
    let value = h[2];
    if (name === 'host') {
      hasHost = true;
    } else if (name === 'connection') {
      value = value.toLowerCase();
      for (const token of value.match(/[^\s,]+/g) || []) {
        if (token === 'close') {
          keepAlive = false;
          announce = false;
        } else if (token === 'keep-alive' && minor === '0') {
          keepAlive = true;
          announce = true;
        }
      }
    } else if (name === 'content-length') {
      const n = /^(\d+)[ \t]*$/.exec(value);
      if (!n || n[1].length > 15 || (length !== undefined && length !== Number(n[1]))) {
        return [400, false];
      }
      length = Number(n[1]);
    } else if (name === 'transfer-encoding') {
      return [501, false];
    }
    pos = eol + 1;
  }
  if (minor !== '0' && !hasHost) return [400, false];
  if (stopping) keepAlive = false;
  if (method !== 'GET' && method !== 'HEAD') {
    return [405, keepAlive, announce, false, length || 0, eol];
  }
  return [200, keepAlive, announce, method === 'HEAD', length || 0, eol];
}

const LEADING = /[\r\n]*/y;

function onData(st, data) {
  const sock = st.sock;
  if (st.closing) return;
  const buf = st.buf === '' ? data : st.buf + data;
  let pos = 0;
  let out = null;
  for (;;) {
    if (st.skip > 0) {
      let n = buf.length - pos;
      if (n > st.skip) n = st.skip;
      pos += n;
      st.skip -= n;
      if (st.skip > 0) break;
    }
    const b = buf.charCodeAt(pos);
    if (b === 13 || b === 10) {
      LEADING.lastIndex = pos;
      LEADING.exec(buf);
      pos = LEADING.lastIndex;
    }
    let r = parseRequest(buf, pos);
    if ((r === null && buf.length - pos > MAX_HEAD) ||
        (r && r[5] !== undefined && r[5] - pos + 1 > MAX_HEAD)) {
      r = [431, false];
    }
    if (r === null) break;
    const [status, keepAlive, announce, head, length, last] = r;
    out = out || [];
    out.push(response(status, keepAlive, announce, head));
    if (!keepAlive) {
      st.closing = true;
      break;
    }
    st.skip = length;
    pos = last + 1;
  }
  st.buf = st.closing ? '' : buf.slice(pos);
  if (out) {
    if (st.closing) {
      sock.end(out.length === 1 ? out[0] : out.join(''), 'latin1');
    } else if (!sock.write(out.length === 1 ? out[0] : out.join(''), 'latin1')) {
      sock.pause();
    }
  }
}

const server = net.createServer((sock) => {
  const st = { sock, buf: '', skip: 0, closing: false };
  conns.set(sock, st);
  sock.setEncoding('latin1');
  sock.setTimeout(IDLE_MS, () => sock.destroy());
  sock.on('data', (data) => onData(st, data));
  sock.on('drain', () => sock.resume());
  sock.on('error', () => {});
  sock.on('close', () => conns.delete(sock));
});

server.on('error', (err) => { throw err; });
server.on('close', () => process.stdout.write('server closed\n'));

server.listen(Number(where), host, () => {
  const addr = server.address();
  process.stdout.write(`listening on ${addr.address} port ${addr.port}\n`);
});

function stop(name) {
  process.stdout.write(`got ${name}, ${stopping ? 'already stopping' : 'stopping'}\n`);
  if (stopping) return;
  stopping = true;
  server.close();
  for (const [sock, st] of conns) {
    if (st.buf === '' && st.skip === 0) {
      st.closing = true;
      sock.end();
    }
  }
  setTimeout(() => {
    for (const sock of conns.keys()) sock.destroy();
  }, GRACE_MS).unref();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
