// blocklist.js: the Node 22 side of bench/blocklist.lua.
//
//   node bench/blocklist.js WORKLOADS.json
//
// The file holds a list of { rules, queries } written by blocklist.lua: each
// rule is [method, ...args], each query [address, family].  For each
// workload it times the additions and then check(), the same way the Lua
// side does, and prints a JSON list of { add_ms, check_us, answers }, where
// answers is '0' or '1' for each of the first 200 queries.
'use strict';

const fs = require('fs');
const { BlockList } = require('net');

const MIN_MS = 250; // Time each measurement at least this long.
const MAX_CHECKS = 2e6;
const ANSWERS = 200; // Answers compared with uvnet's.

function now() {
  return Number(process.hrtime.bigint()) / 1e6;
}

function addAll(rules) {
  const bl = new BlockList();
  for (const [method, ...args] of rules) bl[method](...args);
  return bl;
}

const workloads = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const results = workloads.map(({ rules, queries }) => {
  let rounds = 0;
  let bl;
  let t0 = now();
  do {
    bl = addAll(rules);
    rounds++;
  } while (now() - t0 < MIN_MS && rules.length < 10000);
  const addMs = (now() - t0) / rounds;

  // The answers to the first queries, for blocklist.lua to compare.
  let answers = '';
  for (const [address, family] of queries.slice(0, ANSWERS))
    answers += bl.check(address, family) ? '1' : '0';

  let n = 0;
  t0 = now();
  do {
    for (const [address, family] of queries) {
      bl.check(address, family);
      n++;
      // At 100,000 rules a check takes about a millisecond: stop in time.
      if (n % 64 === 0 && now() - t0 >= MIN_MS && n >= 64) break;
    }
  } while (now() - t0 < MIN_MS && n < MAX_CHECKS);
  const checkUs = (now() - t0) * 1000 / n;
  return { add_ms: addMs, check_us: checkUs, answers };
});
process.stdout.write(JSON.stringify(results));
