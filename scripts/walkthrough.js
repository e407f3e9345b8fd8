/**
 * `npm run walkthrough`: a newcomer's first half hour, walked in Debian's Chromium
 * (playwright-core, as `npm run screenshots`) on a fresh `npm start`: scripts/start.js itself
 * runs, with a user folder of its own in a temporary cache (Node and n8n linked from the real one).
 *
 * The walk follows only what the editor and `npm start` show: sign in → a new workflow → add a
 * node, search "refund" → Stripe Guard → "Refund a charge (proposal)" → the write credential
 * (the node's notice asks for it) and a charge picked from the list → Stripe Guard Approval after
 * it, with the write credential and the Notification Workflow `npm start` imported (`--webhook`:
 * the outbox's Slack-compatible webhook instead) → run the workflow → the review link that the
 * outbox prints → approve → the refund is read back from the emulator. Then it opens every example
 * `npm start` lists and fails on any node the editor marks with an issue (and on any issue n8n's
 * NodeHelpers find in the saved workflow). An error or warning toast fails the walk at its step.
 * A screenshot of every step goes to a temporary folder (printed), with n8n's log.
 *
 * Not part of CI (no browser there). Environment: CHROMIUM (default /usr/bin/chromium), N8N_PORT
 * (5694; the emulator and the outbox use 12294-12296).
 */
'use strict';
const { spawn } = require('node:child_process');
const {
	copyFileSync,
	existsSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	symlinkSync,
} = require('node:fs');
const https = require('node:https');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const runtime = require('./n8n-runtime');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PORT = Number(process.env.N8N_PORT || 5694);
const PORTS = { emulator: 12294, slack: 12295, smtp: 12296 };
const WEBHOOK = process.argv.includes('--webhook');
/**
 * Credential types `npm start` cannot create offline (the agent examples' chat model): a node
 * lacking one of these is listed as "needs your own key", not failed. Any other issue fails.
 */
const NEEDS_YOUR_KEY = new Set(['openAiApi']);

const OUT = mkdtempSync(join(tmpdir(), 'stripe-guard-walkthrough-'));
let shot = 0;

class WalkError extends Error {}

/**
 * `node scripts/start.js` as a newcomer runs it, on a fresh user folder: STRIPE_GUARD_CACHE points
 * install-n8n.sh at a temporary cache holding links to the installed Node and n8n, so start.js
 * makes its user folder (database, credentials, examples) there. Resolves once it prints its
 * "ready" text, with what it printed and a way to read what it prints later (the outbox).
 */
async function npmStart(n8n) {
	const cache = mkdtempSync(join(tmpdir(), 'stripe-guard-walkthrough-cache-'));
	for (const dir of [n8n.nodeBin, n8n.n8n]) {
		// <cache>/node24/…/bin and <cache>/n8n-<version>/node_modules/n8n/bin/n8n
		const top = dir.slice(n8n.cache.length + 1).split('/')[0];
		if (!existsSync(join(cache, top))) symlinkSync(join(n8n.cache, top), join(cache, top));
	}
	const env = { ...process.env, STRIPE_GUARD_CACHE: cache, N8N_PORT: String(PORT) };
	Object.assign(env, {
		STRIPE_EMULATOR_PORT: String(PORTS.emulator),
		OUTBOX_SLACK_PORT: String(PORTS.slack),
		OUTBOX_SMTP_PORT: String(PORTS.smtp),
	});
	for (const name of ['STRIPE_API_KEY', 'STRIPE_WRITE_API_KEY', 'STRIPE_GUARD_RESET_EXAMPLES'])
		delete env[name];
	for (const port of [PORT, PORT + 1000, ...Object.values(PORTS)])
		if (!(await runtime.portFree(port)))
			throw new WalkError(`port ${port} on 127.0.0.1 is in use (set N8N_PORT for another n8n)`);
	const child = spawn(process.execPath, [join(runtime.ROOT, 'scripts/start.js')], {
		cwd: runtime.ROOT,
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	const collect = (chunk) => {
		output += chunk;
		process.stdout.write(chunk.toString().replace(/^(?=.)/gm, '  npm start | '));
	};
	child.stdout.on('data', collect);
	child.stderr.on('data', collect);
	const exited = new Promise((resolve) => child.once('exit', resolve));
	const stop = async () => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		child.kill('SIGTERM'); // start.js stops n8n, the outbox and the emulator
		const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
		await exited;
		clearTimeout(timer);
	};
	const started = { child, cache, stop, output: () => output };
	// Should this process end without its finally block, start.js still stops what it started.
	process.on('exit', () => child.kill('SIGTERM'));
	// The caller stops it and keeps its log, ready or not.
	const notReady = (message) => Object.assign(new WalkError(message), { started });
	const deadline = Date.now() + 15 * 60_000;
	while (!output.includes('Ctrl-C stops everything')) {
		if (child.exitCode !== null)
			throw notReady(`npm start exited (${child.exitCode}) before it was ready`);
		if (Date.now() > deadline) throw notReady('npm start was not ready after 15 minutes');
		await sleep(500);
	}
	return started;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Reads a Stripe object from the emulator `npm start` runs, with its read-only key. */
async function stripeGet(path) {
	// The emulator's keys are the same on every start: a throwaway emulator tells them.
	const { startEmulator } = require(join(runtime.ROOT, '.tmp/start/emulator/index.js'));
	const probe = await startEmulator({ port: 0, seed: 'none' });
	const key = probe.keys.testRead;
	await probe.stop();
	return await new Promise((resolve, reject) => {
		https
			.get(
				{
					host: '127.0.0.1',
					port: PORTS.emulator,
					path,
					servername: 'api.stripe.com',
					ca: readFileSync(join(runtime.ROOT, 'test/tls/ca.crt')),
					headers: { Authorization: `Bearer ${key}` },
				},
				(res) => {
					let body = '';
					res.on('data', (c) => (body += c));
					res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(body) }));
				},
			)
			.on('error', reject);
	});
}

async function main() {
	if (!existsSync(CHROMIUM))
		throw new WalkError(`${CHROMIUM} not found: apt-get install chromium (or set CHROMIUM)`);
	const { chromium } = runtime.playwright();
	const n8n = runtime.ensureN8n();
	console.log(`Screenshots of every step: ${OUT}`);
	process.on('exit', () => console.log(`Screenshots and n8n's log: ${OUT}`));
	const observed = []; // what a newcomer meets that is worth a line in the summary
	const expected = []; // issues listed as needing the user's own key
	const loadErrors = new Set(); // what the browser could not load
	let started;
	let browser;
	let page;
	let step = 'npm start';
	try {
		try {
			started = await npmStart(n8n);
		} catch (error) {
			started = error.started;
			throw error;
		}
		const printed = started.output();
		const url = `http://127.0.0.1:${PORT}`;
		const signIn = printed.match(/Sign in as (\S+) \/ (\S+)/);
		if (!signIn) throw new WalkError('npm start printed no account to sign in with');
		const [, email, password] = signIn;
		// The write credential as `npm start` names it: the nodes' notices ask for Allow Writes on.
		const writeName = printed.match(/Credential "([^"]+)"[^\n]*Allow Writes on/)?.[1];
		const examples = [...printed.matchAll(/→ (http:\/\/127\.0\.0\.1:\d+\/workflow\/(\w+))/g)].map(
			(m) => ({ url: m[1], id: m[2] }),
		);

		browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
		const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
		page = await context.newPage();
		// What the browser failed to load, for diagnosis (reported, not failed on: the editor loads
		// some things from the internet, which an offline machine does not reach).
		const loadError = (text) => loadErrors.add(text.replace(/\?.*/, ''));
		context.on('requestfailed', (r) => loadError(`${r.failure()?.errorText} ${r.url()}`));
		context.on('response', (r) => r.status() >= 400 && loadError(`${r.status()} ${r.url()}`));

		/** A screenshot named after the step, then the step's own check: no error or warning toast. */
		const done = async (name) => {
			await page.waitForTimeout(500);
			await page.screenshot({ path: join(OUT, `${String(++shot).padStart(2, '0')}-${name}.png`) });
			await noToasts(name);
			console.log(`  ✓ ${step}`);
		};
		/** n8n's toasts are Element Plus notifications; their icon's class names the type. */
		const noToasts = async (where) => {
			const toasts = await page.locator('.el-notification').evaluateAll((nodes) =>
				nodes
					.filter((n) => n.offsetParent !== null)
					.map((n) => ({
						bad: /--(error|warning)\b/.test(n.innerHTML) || /^Problem/.test(n.innerText.trim()),
						text: n.innerText.trim().replace(/\s*\n+\s*/g, ' | '),
					})),
			);
			for (const toast of toasts)
				if (!toast.bad) observed.push(`toast at "${where}": ${toast.text}`);
			const bad = toasts.filter((t) => t.bad);
			if (bad.length)
				throw new WalkError(`the editor showed: ${bad.map((t) => `"${t.text}"`).join('; ')}`);
		};
		/** The issue marks on the canvas, with the text n8n shows when hovering them. */
		const canvasIssues = async () => {
			const marked = page.locator('[data-test-id="canvas-node"]:has([data-test-id="node-issues"])');
			const issues = [];
			for (const node of await marked.all()) {
				const name = await node.getAttribute('data-node-name');
				await node.locator('[data-test-id="node-issues"]').hover({ force: true });
				await page.waitForTimeout(700);
				const text = await page.evaluate(() => {
					// The tooltip: "Issues" and the list under it.
					const tips = [...document.querySelectorAll('body *')].filter(
						(e) => e.offsetParent !== null && /^Issues\s*\n\s*\S/.test(e.innerText?.trim() ?? ''),
					);
					tips.sort((a, b) => a.innerText.length - b.innerText.length);
					return tips[0]?.innerText.trim().replace(/\s*\n+\s*/g, ' ') ?? '(no tooltip)';
				});
				issues.push({ name, text });
				await page.mouse.move(5, 450);
			}
			return issues;
		};
		const noCanvasIssues = async () => {
			const issues = await canvasIssues();
			if (issues.length)
				throw new WalkError(
					`the canvas marks issues: ${issues.map((i) => `${i.name}: ${i.text}`).join('; ')}`,
				);
		};
		const ndv = page.locator('[data-test-id="ndv"]');
		const credentialOf = async () =>
			await ndv.locator('[data-test-id="node-credentials-select"] input').first().inputValue();
		const pickCredential = async (name) => {
			await ndv.locator('[data-test-id="node-credentials-select"]').first().click();
			await page
				.locator('[data-test-id^="node-credentials-select-item-"]:visible', { hasText: name })
				.first()
				.click();
			await page.waitForTimeout(500);
			if ((await credentialOf()) !== name) throw new WalkError(`could not select "${name}"`);
		};
		const notices = async () =>
			(await ndv.locator('[role="alert"]').allInnerTexts()).map((t) => t.trim()).join(' / ');

		step = 'sign in with the account npm start printed';
		await page.goto(`${url}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"]').fill(email);
		await page.locator('input[name="password"]').fill(password);
		await page.locator('[data-test-id="form-submit-button"]').click();
		await page.waitForURL(/\/home|\/workflow/, { timeout: 60_000 });
		await done('signed-in');

		step = 'open the editor on a new workflow';
		await page.goto(`${url}/workflow/new`);
		await page.locator('[data-test-id="canvas-plus-button"]').waitFor({ timeout: 60_000 });
		await done('new-workflow');

		step = 'add a node: search "refund"';
		await page.locator('[data-test-id="canvas-plus-button"]').click();
		const creator = page.locator('[data-test-id="node-creator"]');
		await page.locator('[data-test-id="node-creator-search-bar"]').fill('refund');
		await creator.getByText('Stripe Guard', { exact: true }).first().waitFor({ timeout: 30_000 });
		await done('search-refund');

		step = 'open Stripe Guard and add the refund proposal';
		await creator.getByText('Stripe Guard', { exact: true }).first().click();
		// "Propose refunding a charge" in version 2, "Refund a charge (proposal)" after it.
		const action = creator.getByText(/^(Propose refunding a charge|Refund a charge \(proposal\))$/);
		await creator.getByText(/^Actions \(\d+\)$/).waitFor({ timeout: 30_000 });
		// The actions may be folded under "Actions (n)", below the triggers.
		await page.waitForTimeout(1500);
		for (let tries = 0; !(await action.isVisible()) && tries < 3; tries++) {
			if (tries === 0)
				observed.push("Stripe Guard's details list its triggers first, the actions folded below");
			await creator.getByText(/^Actions \(\d+\)$/).click();
			await page.waitForTimeout(1000);
		}
		await action.click();
		await ndv.waitFor({ timeout: 30_000 });
		await done('propose-node-added');

		step = 'set up the proposal: the write credential its notice asks for, a charge from the list';
		const proposeAuto = await credentialOf();
		const proposeNotice = await notices();
		observed.push(`n8n filled the new Propose node with the credential "${proposeAuto}"`);
		observed.push(`the Propose node's notice: "${proposeNotice}"`);
		if (!writeName)
			throw new WalkError(
				'npm start names no credential with Allow Writes on, which the notice asks for',
			);
		if (proposeAuto !== writeName) await pickCredential(writeName);
		await ndv
			.locator('[data-test-id="resource-locator-chargeId"] [data-test-id="rlc-input"]')
			.click();
		const charge = page
			.locator('[data-test-id="rlc-item"]')
			.filter({ hasText: 'succeeded' })
			.first();
		await charge.waitFor({ timeout: 30_000 });
		const chargeLabel = (await charge.innerText()).trim();
		const chargeId = chargeLabel.match(/\((ch_\w+)\)/)?.[1];
		if (!chargeId) throw new WalkError(`the charge list item names no charge ID: "${chargeLabel}"`);
		await charge.click();
		await page.waitForTimeout(500);
		if (await ndv.locator('[data-test-id="parameter-issues"]').count())
			throw new WalkError('the Propose node shows a parameter issue');
		await done('propose-node-set-up');
		await ndv.locator('[data-test-id="ndv-close-button"]').click();
		await noCanvasIssues();

		step = 'add Stripe Guard Approval after the proposal';
		const propose = page.locator(
			'[data-test-id="canvas-node"][data-node-type="n8n-nodes-stripe-guard.stripeGuard"]',
		);
		await propose.locator('[data-test-id="canvas-handle-plus"]').first().click();
		await page.locator('[data-test-id="node-creator-search-bar"]').fill('Stripe Guard Approval');
		await creator.getByText('Stripe Guard Approval', { exact: true }).first().click();
		const send = creator.getByText(/approval and wait/i).first();
		if (await send.isVisible({ timeout: 5000 }).catch(() => false)) await send.click();
		await ndv.waitFor({ timeout: 30_000 });
		await done('approval-node-added');

		step = WEBHOOK
			? 'set up the approval: the write credential, the outbox as Slack-compatible webhook'
			: 'set up the approval: the write credential, the Notification Workflow npm start imported';
		const approvalAuto = await credentialOf();
		observed.push(`n8n filled the new Stripe Guard Approval node with "${approvalAuto}"`);
		observed.push(`the Approval node's notice: "${await notices()}"`);
		if (WEBHOOK) {
			const hook = printed.match(
				/Slack-compatible webhook[^\n]*?(http:\/\/127\.0\.0\.1:\d+\/\S+)/i,
			);
			if (!hook)
				throw new WalkError('npm start prints no Slack-compatible webhook URL for the outbox');
			await ndv.locator('[data-test-id="parameter-input-webhookUrl"] input').fill(hook[1]);
		} else {
			await ndv
				.locator(
					'[data-test-id="resource-locator-notificationWorkflowId"] [data-test-id="rlc-input"]',
				)
				.click();
			await page
				.locator('[data-test-id="rlc-item"]')
				.filter({ hasText: 'approval notification' })
				.first()
				.click({ timeout: 30_000 });
		}
		if (approvalAuto !== writeName) await pickCredential(writeName);
		await page.waitForTimeout(500);
		if (await ndv.locator('[data-test-id="parameter-issues"]').count())
			throw new WalkError('the Approval node shows a parameter issue');
		await done('approval-node-set-up');
		await ndv.locator('[data-test-id="ndv-close-button"]').click();
		await noCanvasIssues();

		step = 'run the workflow';
		const outboxBefore = started.output().length;
		await page.locator('[data-test-id="execute-workflow-button"]').click();
		let reviewUrl;
		const runDeadline = Date.now() + 90_000;
		while (!reviewUrl) {
			reviewUrl = started
				.output()
				.slice(outboxBefore)
				.match(/Review and decide: (http:\/\/127\.0\.0\.1:\d+\/webhook-waiting\/\S+)/)?.[1];
			await noToasts('run the workflow');
			if (Date.now() > runDeadline)
				throw new WalkError('no review link reached the outbox within 90 s of the run');
			if (!reviewUrl) await sleep(1000);
		}
		await done('waiting-for-approval');

		step = 'open the review link the outbox printed';
		const review = await context.newPage();
		await review.goto(reviewUrl);
		const reviewText = await review.locator('body').innerText();
		await review.screenshot({
			path: join(OUT, `${String(++shot).padStart(2, '0')}-review-page.png`),
			fullPage: true,
		});
		if (!reviewText.includes(chargeId))
			throw new WalkError(`the review page does not name the charge ${chargeId}:\n${reviewText}`);
		console.log(`  ✓ ${step}`);

		step = 'approve';
		const name = review.locator('input[name="approver"]');
		if (await name.count()) await name.fill('New User');
		await review.locator('button[value="approve"]').click();
		await review.getByText(/Approved by/).waitFor({ timeout: 60_000 });
		const result = await review.locator('body').innerText();
		await review.screenshot({
			path: join(OUT, `${String(++shot).padStart(2, '0')}-approved.png`),
			fullPage: true,
		});
		const refundId = result.match(/Stripe ID (re_\w+)/)?.[1];
		if (!refundId) throw new WalkError(`the page names no refund after approving:\n${result}`);
		await review.close();
		await page.bringToFront();
		await done('editor-after-approval');

		step = 'the refund is in Stripe (the emulator)';
		const refund = await stripeGet(`/v1/refunds/${refundId}`);
		const chargeNow = await stripeGet(`/v1/charges/${chargeId}`);
		if (
			refund.status !== 200 ||
			refund.body.charge !== chargeId ||
			refund.body.status !== 'succeeded'
		)
			throw new WalkError(`the emulator has no such refund: ${JSON.stringify(refund)}`);
		if (chargeNow.body.amount_refunded !== refund.body.amount)
			throw new WalkError(`the charge was not refunded: ${JSON.stringify(chargeNow.body)}`);
		console.log(
			`  ✓ ${step}: ${refundId}, ${refund.body.amount} ${refund.body.currency} of ${chargeLabel}`,
		);

		step = 'open every example npm start imported';
		if (examples.length === 0) throw new WalkError('npm start listed no example workflows');
		const { cookie } = await runtime.setupOwner(url, { email, password });
		const get = async (path) =>
			await (await fetch(`${url}${path}`, { headers: { cookie } })).json();
		const types = await get('/types/nodes.json');
		const credentialIds = new Set((await get('/rest/credentials')).data.map((c) => c.id));
		const failures = [];
		for (const example of examples) {
			await page.goto(example.url);
			await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60_000 });
			await page.waitForTimeout(2000); // issues are marked once parameters and credentials load
			await page.screenshot({
				path: join(OUT, `${String(++shot).padStart(2, '0')}-${example.id}.png`),
			});
			await noToasts(`open ${example.id}`).catch((e) =>
				failures.push(`${example.id}: ${e.message}`),
			);
			const { data: workflow } = await get(`/rest/workflows/${example.id}`);
			const computed = new Map(
				workflow.nodes.map((n) => [n.name, runtime.nodeIssues(n, types, credentialIds)]),
			);
			// Only a missing credential of a kind npm start cannot make is expected.
			const needsKey = (nodeName) => {
				const list = computed.get(nodeName) ?? [];
				return list.length > 0 && list.every((i) => NEEDS_YOUR_KEY.has(i.needsKey));
			};
			for (const issue of await canvasIssues()) {
				const line = `${example.id} / ${issue.name}: ${issue.text}`;
				if (needsKey(issue.name)) expected.push(line);
				else failures.push(`${line} (on the canvas)`);
			}
			for (const [nodeName, list] of computed)
				if (list.length && !needsKey(nodeName))
					failures.push(
						`${example.id} / ${nodeName}: ${list.map((i) => i.text).join('; ')} (NodeHelpers)`,
					);
		}
		if (failures.length)
			throw new WalkError(
				`examples open with issues:\n    ${[...new Set(failures)].join('\n    ')}`,
			);
		console.log(`  ✓ ${step}: ${examples.length} workflows`);

		console.log('\nThe walk passed.');
	} catch (error) {
		await page
			?.screenshot({ path: join(OUT, `${String(++shot).padStart(2, '0')}-FAILED.png`) })
			.catch(() => undefined);
		const why = error instanceof WalkError ? error.message : error.stack;
		throw new WalkError(`The walk failed at "${step}": ${why}`);
	} finally {
		console.log('\nWhat a newcomer met on the way:');
		for (const line of observed) console.log(`  - ${line}`);
		for (const line of expected) console.log(`  - needs your own key: ${line}`);
		for (const line of loadErrors) console.log(`  - the browser could not load: ${line}`);
		await browser?.close().catch(() => undefined);
		await started?.stop();
		if (started) {
			// n8n's log, for diagnosis; the rest of the fresh setup goes.
			const log = join(started.cache, 'start-user/n8n.log');
			if (existsSync(log)) copyFileSync(log, join(OUT, 'n8n.log'));
			rmSync(started.cache, { recursive: true, force: true });
		}
		for (const port of [PORT, PORT + 1000, ...Object.values(PORTS)])
			if (!(await runtime.portFree(port)))
				console.error(`warning: port ${port} is still in use after the walk`);
	}
}

main().catch((error) => {
	console.error(`\n${error.message}`);
	process.exit(1);
});
