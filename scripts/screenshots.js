/**
 * `npm run screenshots`: regenerates the pictures in docs/images from a real n8n with the package
 * loaded, the examples imported and the emulator's demo data, photographed by Debian's Chromium
 * (apt-get install chromium) driven by playwright-core. Not part of CI: run it after a UI change.
 *
 * playwright-core is installed on first use into ~/.cache/n8n-nodes-stripe-guard/playwright (it
 * downloads no browser). Environment: CHROMIUM (default /usr/bin/chromium), N8N_PORT (5692).
 */
'use strict';
const {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
} = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const runtime = require('./n8n-runtime');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PORT = Number(process.env.N8N_PORT || 5692);
const OUT = join(runtime.ROOT, 'docs/images');

/**
 * A report's table as it reads in an email (table_html) and in Slack (table_text), side by side.
 */
function tablePage(report) {
	const text = String(report.table_text).replace(/&/g, '&amp;').replace(/</g, '&lt;');
	const caption = 'color:#888;font-size:12px;margin-bottom:8px';
	const box = 'border:1px solid #ddd;border-radius:8px;padding:16px 20px';
	return `<!doctype html><html>\
<body style="margin:0;padding:24px;background:#fff;font-family:sans-serif">
<div style="display:flex;gap:32px;align-items:flex-start">
<div style="${box}"><div style="${caption}">Email (table_html)</div>${report.table_html}</div>
<div style="${box};background:#f8f8f8"><div style="${caption}">Slack (table_text)</div>\
<pre style="font-size:13px;margin:0">${text}</pre></div>
</div></body></html>`;
}

const stamp = (msAgo) => ({
	createdAt: new Date(Date.now() - msAgo).toISOString(),
	updatedAt: new Date(Date.now() - msAgo).toISOString(),
});

async function main() {
	if (!existsSync(CHROMIUM))
		throw new Error(`${CHROMIUM} not found: apt-get install chromium (or set CHROMIUM)`);
	const { chromium } = runtime.playwright();
	const n8n = runtime.ensureN8n();
	const { startEmulator } = require(join(runtime.compileEmulator(), 'index.js'));
	const emulator = await startEmulator({ seed: 'demo' });
	const userFolder = mkdtempSync(join(tmpdir(), 'stripe-guard-screenshots-'));
	let server;
	let browser;
	let page;
	try {
		runtime.installPackage(userFolder);
		const env = runtime.n8nEnv(n8n, {
			userFolder,
			port: PORT,
			stripeEmulatorPort: emulator.port,
			extra: { GENERIC_TIMEZONE: 'Europe/Berlin' },
		});
		await runtime.importCredentials(n8n, env, [
			// As `npm start` does: the read-only credential is the newest, the write one a minute older.
			{
				id: 'stripeGuardLocal',
				name: 'Stripe Guard',
				type: 'stripeRestrictedKeyApi',
				data: {
					apiKey: emulator.keys.testRead,
					environment: 'test',
					accountId: '',
					allowWrites: false,
				},
				...stamp(0),
			},
			{
				id: 'stripeGuardWrites',
				name: 'Stripe Guard writes',
				type: 'stripeRestrictedKeyApi',
				data: {
					apiKey: emulator.keys.testWrite,
					environment: 'test',
					accountId: '',
					allowWrites: true,
				},
				...stamp(60_000),
			},
		]);
		for (const file of readdirSync(join(runtime.ROOT, 'examples')).filter((f) =>
			f.endsWith('.json'),
		)) {
			const workflow = JSON.parse(readFileSync(join(runtime.ROOT, 'examples', file), 'utf8'));
			await runtime.importWorkflow(n8n, env, workflow);
		}
		server = await runtime.startServer(n8n, env);
		const { cookie } = await runtime.setupOwner(server.url);
		browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
		const context = await browser.newContext({
			viewport: { width: 1440, height: 860 },
			deviceScaleFactor: 1,
		});
		await context.addCookies(
			cookie.split('; ').map((c) => ({
				name: c.split('=')[0],
				value: c.slice(c.indexOf('=') + 1),
				url: server.url,
			})),
		);
		page = await context.newPage();
		mkdirSync(OUT, { recursive: true });

		// 1. The revenue report in the editor: open the node, run it, show parameters and output.
		await page.goto(`${server.url}/workflow/sgExampleRevenue`);
		// The canvas pane lies over the node's label: double-click the node itself.
		await page
			.locator('[data-test-id="canvas-node"]', { hasText: 'Revenue yesterday' })
			.first()
			.dblclick({ timeout: 60_000, force: true });
		// The last such button is the node panel's own (the first belongs
		// to the canvas behind it). The panel's own button has the words;
		// the canvas behind it has an icon-only one with the same label.
		await page
			.getByRole('button', { name: /Execute step|Test step/ })
			.filter({ hasText: /Execute step|Test step/ })
			.first()
			.click();
		await page
			.getByText('by_currency', { exact: false })
			.first()
			.waitFor({ timeout: 60_000 })
			.catch(() => undefined);
		// The output as JSON shows the figures per currency.
		await page.getByText('JSON', { exact: true }).last().click();
		await page.waitForTimeout(1500);
		await page.screenshot({ path: join(OUT, 'report-in-editor.png') });
		await page.keyboard.press('Escape');

		// 2. The new-subscription alert on the canvas.
		await page.goto(`${server.url}/workflow/sgExampleNewSub`);
		await page
			.getByText('On new subscription', { exact: true })
			.first()
			.waitFor({ timeout: 60_000 });
		await page.waitForTimeout(1500);
		await page.screenshot({ path: join(OUT, 'trigger-in-editor.png') });

		// 3. Finding it: the node creator, searched for "refund" (an
		//    alias), shows Stripe Guard with its own description.
		await page.goto(`${server.url}/workflow/sgExampleRevenue`);
		await page.locator('[data-test-id="node-creator-plus-button"]').click({ timeout: 60_000 });
		await page.getByPlaceholder('Search nodes...').fill('refund');
		await page.getByText('Stripe Guard', { exact: true }).first().waitFor({ timeout: 30_000 });
		// n8n shows the trigger's description for the merged
		// entry: it must say what the main node does.
		await page
			.getByText(/revenue reports and AI agent tools/)
			.first()
			.waitFor({ timeout: 10_000 });
		await page.waitForTimeout(1000);
		await page.screenshot({ path: join(OUT, 'node-creator-search.png') });

		// 4. Safe by default: a Stripe Guard node added by
		//    hand is filled with the read-only credential.
		await page.getByText('Stripe Guard', { exact: true }).first().click();
		await page.getByText('List customers', { exact: true }).first().click({ timeout: 30_000 });
		const credential = page.locator('[data-test-id="node-credentials-select"] input').first();
		await credential.waitFor({ timeout: 30_000 });
		const picked = await credential.inputValue();
		if (picked !== 'Stripe Guard')
			throw new Error(
				'a new Stripe Guard node was filled with the credential ' +
					`"${picked}", not the read-only "Stripe Guard"`,
			);
		console.log(`A Stripe Guard node added by hand holds the credential "${picked}" (read-only).`);
		await page.keyboard.press('Escape');

		// 5. A report table as it arrives: the same report
		//    through n8n-core (the engine harness of the tests).
		// In this process too, api.stripe.com goes to the emulator (test/route-stripe.js).
		require('../test/route-stripe').routeStripeTo(emulator.port);
		process.env.N8N_LOG_LEVEL = 'silent';
		const { runStripeGuard } = require(
			join(
				runtime.compileTypeScript('bench-harness', 'test/engine/harness.ts', '.'),
				'test/engine/harness.js',
			),
		);
		const run = await runStripeGuard({
			parameters: {
				resource: 'report',
				operation: 'revenue',
				period: 'last_30_days',
				timeZone: 'Europe/Berlin',
				includeTable: true,
			},
			credential: { apiKey: emulator.keys.testRead },
		});
		const report = run.items[0].json;
		await page.setViewportSize({ width: 1300, height: 300 });
		await page.setContent(tablePage(report));
		await page.screenshot({ path: join(OUT, 'report-table.png'), fullPage: true });
		console.log(
			`Wrote ${readdirSync(OUT)
				.map((f) => `docs/images/${f}`)
				.join(', ')}`,
		);
	} catch (error) {
		// What the browser showed when it went wrong, to see which dialog or selector is in the way.
		await page
			?.screenshot({ path: join(tmpdir(), 'stripe-guard-screenshot-failure.png') })
			.catch(() => undefined);
		throw error;
	} finally {
		await browser?.close();
		await server?.stop();
		await emulator.stop();
		rmSync(userFolder, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
