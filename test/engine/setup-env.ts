// n8n-core writes <N8N_USER_FOLDER>/.n8n/config on first use: keep it out of $HOME.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'stripe-guard-n8n-'));
process.env.N8N_LOG_LEVEL ??= 'silent';
