import { useEmulator } from './emulator-context';
import { captureLogs, runStripeGuard, testCredential, type NodeRun } from './harness';

const emulator = useEmulator({ seed: 'demo' });

/** Everything a run leaves behind that a person or a log collector could read. */
function traces(run: NodeRun): string {
	return JSON.stringify({
		items: run.items,
		error: run.error,
		hints: run.hints,
		runData: run.run.data,
	});
}

test('the key appears in no output item, error message or log line', async () => {
	const e = emulator();
	const readKey = e.keys.testRead;
	const noCustomersKey = e.addKey({ mode: 'test', permissions: { subscription: 'read' } });
	const revoked = e.addKey({ mode: 'test', permissions: 'read' });
	e.revokeKey(revoked);
	const writeKey = e.addKey({ mode: 'test', permissions: 'write' });
	const secretKey = 'sk_live_' + readKey.slice(8);
	const customer = e.list('customer', 'test')[0].id as string;
	const keys = [readKey, noCustomersKey, revoked, writeKey, secretKey];

	const { result: outputs, lines } = await captureLogs(async () => {
		const runs: string[] = [];
		const get = (apiKey: string, customerId: string) =>
			runStripeGuard({
				parameters: { resource: 'customer', operation: 'get', customerId },
				credential: { apiKey },
			});
		runs.push(traces(await get(readKey, customer))); // success
		runs.push(traces(await get(readKey, 'cus_Missing000001'))); // 404
		runs.push(traces(await get(noCustomersKey, customer))); // 403
		runs.push(traces(await get(revoked, customer))); // 401
		runs.push(traces(await get(secretKey, customer))); // refused secret key
		runs.push(traces(await get(` ${readKey} `, customer))); // whitespace
		runs.push(
			traces(
				await runStripeGuard({
					parameters: { resource: 'customer', operation: 'list', returnAll: true },
					credential: { apiKey: readKey },
				}),
			),
		);
		for (const apiKey of keys)
			runs.push(
				JSON.stringify(
					await testCredential({
						apiKey,
						environment: apiKey.startsWith('sk_live') ? 'live' : 'test',
					}),
				),
			);
		return runs;
	});

	expect(outputs.length).toBe(12);
	expect(lines.length).toBeGreaterThan(0); // n8n's engine logged the runs
	const everything = [...outputs, ...lines, JSON.stringify(e.requests)].join('\n');
	expect(everything).toContain('No such customer'); // the errors are in there…
	for (const key of keys) {
		expect(everything).not.toContain(key); // …but no key
		expect(everything).not.toContain(key.slice(8)); // nor its secret part
	}
});
