/**
 * Starts the Stripe emulator for a test file and routes this process's connections for
 * api.stripe.com to it (test/route-stripe.js): the product calls https://api.stripe.com as always.
 */
import { startEmulator, type StartOptions, type StripeEmulator } from '../emulator';
import { routeStripeTo } from '../route-stripe';

export function useEmulator(options: StartOptions = {}): () => StripeEmulator {
	let emulator: StripeEmulator | undefined;
	beforeAll(async () => {
		emulator = await startEmulator(options);
		routeStripeTo(emulator.port);
	});
	afterAll(async () => {
		routeStripeTo(undefined);
		await emulator?.stop();
	});
	return () => {
		if (!emulator) throw new Error('emulator not started');
		return emulator;
	};
}

/**
 * Fields for `createMany` that put every object in one second just past: tests that count a
 * list's requests depend on it, and creating hundreds of objects at the clock's own time can
 * cross a second's edge (then a window below it is read too).
 */
export function inOneSecond(
	fields: (i: number) => Record<string, unknown> = () => ({}),
): (i: number) => Record<string, unknown> {
	const second = Math.floor(Date.now() / 1000) - 1;
	return (i) => ({ ...fields(i), created: second });
}
