/**
 * The emulator as a process: `npm start` runs it as an offline Stripe with demo data.
 * Prints one JSON line (url, account, keys) when listening, then one line per request on stderr.
 */
import { startEmulator } from './index';

function option(name: string, fallback: string): string {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
	const emulator = await startEmulator({
		host: option('host', '127.0.0.1'),
		port: Number(option('port', '12111')),
		latencyMs: Number(option('latency', '0')),
		latencyPerObjectMs: Number(option('latency-per-object', '0')),
		seed: option('seed', 'demo') === 'none' ? 'none' : 'demo',
	});
	process.stdout.write(
		JSON.stringify({ url: emulator.url, accountId: emulator.accountId, keys: emulator.keys }) +
			'\n',
	);
	let logged = 0;
	const timer = setInterval(() => {
		for (; logged < emulator.requests.length; logged++) {
			const r = emulator.requests[logged];
			const notes = [
				r.replayed && 'replayed',
				r.rateLimited,
				r.violation && `refused by Stripe's definitions: ${r.violation}`,
			].filter(Boolean);
			process.stderr.write(
				`${new Date(r.time).toISOString()} ${r.method} ${r.path} ${r.status} ` +
					`${r.keyHint}${notes.length ? ` (${notes.join('; ')})` : ''}\n`,
			);
		}
	}, 250);
	const stop = () => {
		clearInterval(timer);
		// Requests Stripe's definitions refuse were logged as they came; stop() names them again.
		void emulator.stop().then(
			() => process.exit(0),
			(error: unknown) => {
				process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
				process.exit(1);
			},
		);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
