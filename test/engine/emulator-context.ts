/** Starts the Stripe emulator for a test file and points Stripe Guard at it. */
import { startEmulator, type StartOptions, type StripeEmulator } from '../emulator';

export function useEmulator(options: StartOptions = {}): () => StripeEmulator {
	let emulator: StripeEmulator | undefined;
	beforeAll(async () => {
		emulator = await startEmulator(options);
		process.env.STRIPE_GUARD_API_BASE_URL = emulator.url;
	});
	afterAll(async () => {
		delete process.env.STRIPE_GUARD_API_BASE_URL;
		await emulator?.stop();
	});
	return () => {
		if (!emulator) throw new Error('emulator not started');
		return emulator;
	};
}
