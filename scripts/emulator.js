#!/usr/bin/env node
/**
 * `npm run emulator [-- --port 12111 --seed demo|none --latency 0 --latency-per-object 0]`: the
 * offline Stripe emulator as a process. Compiles test/emulator with the project's TypeScript (no
 * extra runner needed on a fresh clone), then runs its command line, which prints one JSON line
 * (url, keys) when listening.
 */
const { join } = require('node:path');

const runtime = require('./n8n-runtime.js');

require(join(runtime.compileEmulator(), 'cli.js'));
