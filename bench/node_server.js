// node_server.js: the Node.js side of uvnet's benchmarks, the same echo
// and discard servers as bench/uvnet_server.lua, line for line.
//
//   node node_server.js PORT echo|pipe|discard
//
// It listens on 127.0.0.1:PORT (0 picks a free port), prints
// "listening <port>" on one line, and runs until killed.
'use strict';

const net = require('net');

const port = Number(process.argv[2] || 0);
const mode = process.argv[3] || 'echo';

let handler;
if (mode === 'echo') {
  handler = (c) => {
    c.on('error', () => {});
    c.on('data', (d) => { c.write(d); });
  };
} else if (mode === 'pipe') {
  handler = (c) => {
    c.on('error', () => {});
    c.pipe(c);
  };
} else if (mode === 'discard') {
  handler = (c) => {
    c.on('error', () => {});
    c.on('data', () => {});
  };
} else {
  process.stderr.write('usage: node node_server.js PORT echo|pipe|discard\n');
  process.exit(2);
}

const server = net.createServer(handler);
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
