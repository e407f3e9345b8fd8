/**
 * REMOVED BY THE ROUTING CHANGE. Until then, the one place where the package reads its
 * environment: `STRIPE_GUARD_API_BASE_URL` points the transport at a local Stripe emulator and
 * `STRIPE_GUARD_TIMEOUT_MS` shortens the timeout for the fault tests. After the routing change,
 * test processes route api.stripe.com to the emulator at the network level, the timeout is a
 * node option, and this file goes.
 */
export const API_BASE_ENV = 'STRIPE_GUARD_API_BASE_URL';
const TIMEOUT_ENV = 'STRIPE_GUARD_TIMEOUT_MS';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

export type EmulatorOverride = { ok: true; baseUrl?: string; timeoutMs?: number } | { ok: false; message: string };

/**
 * Reads the overrides (unset: Stripe itself, the default timeout). Only loopback hosts are
 * accepted, so that a key can never be sent to a third party by a changed environment variable.
 */
export function emulatorOverride(): EmulatorOverride {
	const value = process.env[API_BASE_ENV];
	const timeoutMs = Number(process.env[TIMEOUT_ENV]) || undefined;
	if (!value) return { ok: true, timeoutMs };
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return { ok: false, message: `${API_BASE_ENV} is not a URL: set it to e.g. http://127.0.0.1:12111, or unset it to use Stripe.` };
	}
	if (!LOOPBACK.test(url.hostname) || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
		return {
			ok: false,
			message: `${API_BASE_ENV} may only point at this machine (127.0.0.0/8, localhost or [::1]) over http or https, so that a Stripe key is never sent elsewhere. Unset it to use Stripe.`,
		};
	}
	return { ok: true, baseUrl: `${url.protocol}//${url.host}`, timeoutMs };
}
