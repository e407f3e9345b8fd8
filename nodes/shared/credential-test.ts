/**
 * The credential test of `stripeRestrictedKeyApi`: a real read, the mode and account checks,
 * and the over-permission probe that keeps a key able to write out of a read-only setup.
 */
import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import Stripe from 'stripe';

import { createStripeClient } from './client';
import { checkCredentials, type StripeGuardCredentials } from './credentials';
import { redactKeys } from './errors';
import { describePermission, missingPermissionMessage, parseMissingPermissions } from './permissions';

/** IDs no Stripe object can have: a probe aimed at them changes nothing even when it is allowed. */
const PROBE = 'StripeGuardWriteProbe0000';

/**
 * One harmless write per permission group a workflow could misuse. A read-only key gets 403;
 * a key that can write gets past the permission check and hears "No such …" (404) instead.
 */
const WRITE_PROBES: Array<{ permission: string; call: (s: Stripe) => Promise<unknown> }> = [
	{ permission: 'rak_customer_write', call: (s) => s.customers.del(`cus_${PROBE}`) },
	{ permission: 'rak_product_write', call: (s) => s.products.del(`prod_${PROBE}`) },
	{ permission: 'rak_plan_write', call: (s) => s.prices.update(`price_${PROBE}`, {}) },
	{ permission: 'rak_subscription_write', call: (s) => s.subscriptions.cancel(`sub_${PROBE}`) },
	{ permission: 'rak_invoice_write', call: (s) => s.invoices.del(`in_${PROBE}`) },
	{ permission: 'rak_payment_intent_write', call: (s) => s.paymentIntents.cancel(`pi_${PROBE}`) },
	{ permission: 'rak_refund_write', call: (s) => s.refunds.create({ charge: `ch_${PROBE}` }) },
	{ permission: 'rak_checkout_session_write', call: (s) => s.checkout.sessions.expire(`cs_${PROBE}`) },
];

const isStripeError = (e: unknown): e is InstanceType<typeof Stripe.errors.StripeError> =>
	e instanceof Stripe.errors.StripeError;

function failure(message: string): INodeCredentialTestResult {
	return { status: 'Error', message: redactKeys(message) };
}

/** The account a key belongs to: from /v1/account, or from the 403 that names it when the key may not read it. */
async function keyAccount(stripe: Stripe): Promise<string | undefined> {
	try {
		return (await stripe.accounts.retrieveCurrent()).id;
	} catch (error) {
		if (isStripeError(error) && error.statusCode === 403) return /on account '(acct_[A-Za-z0-9]+)'/.exec(error.message)?.[1];
		throw error;
	}
}

/** Permission groups the key can write, found by the probes. */
async function writablePermissions(stripe: Stripe): Promise<string[]> {
	const outcomes = await Promise.all(
		WRITE_PROBES.map(async ({ permission, call }) => {
			try {
				await call(stripe);
				return permission; // cannot happen for a probe ID, but it would mean the write went through
			} catch (error) {
				if (isStripeError(error) && error.statusCode === 403) return undefined;
				if (isStripeError(error) && (error.statusCode === 404 || error.statusCode === 400)) return permission;
				throw error;
			}
		}),
	);
	return outcomes.filter((p): p is string => p !== undefined);
}

async function testWithStripe(credentials: StripeGuardCredentials): Promise<INodeCredentialTestResult> {
	const stripe = createStripeClient(credentials);
	const page = await stripe.customers.list({ limit: 1 });
	const sample = page.data[0];
	if (sample && sample.livemode !== (credentials.mode === 'live')) {
		return failure(
			`Stripe answered with ${sample.livemode ? 'live' : 'test'}-mode data, but the Environment is ${credentials.mode === 'live' ? 'Live' : 'Test'}. Check which key you pasted.`,
		);
	}
	if (credentials.accountId) {
		const account = await keyAccount(stripe);
		if (account !== credentials.accountId) {
			return failure(
				account
					? `This key belongs to account ${account}, not ${credentials.accountId}. Use a key of ${credentials.accountId}, or correct the Account ID.`
					: `Stripe did not say which account this key belongs to, so it cannot be checked against ${credentials.accountId}. Clear the Account ID to skip this check.`,
			);
		}
	}
	if (!credentials.allowWrites) {
		const writable = await writablePermissions(stripe);
		if (writable.length > 0) {
			const named = writable.map((p) => `${describePermission(p)} (${p})`).join(', ');
			return failure(
				`This key can write: ${named}, but Allow Writes is off. Give n8n a read-only key (edit the key in Stripe Dashboard → Developers → API keys and set these to Read or None), or turn on Allow Writes if this workflow is meant to change Stripe data after approval.`,
			);
		}
	}
	const mode = credentials.mode === 'live' ? 'live' : 'test';
	return {
		status: 'OK',
		message: `Connected to Stripe in ${mode} mode${credentials.accountId ? ` (account ${credentials.accountId})` : ''}${credentials.allowWrites ? '' : ' with a read-only key'}.`,
	};
}

export async function stripeRestrictedKeyApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const check = checkCredentials(credential.data);
	if (!check.ok) return failure(check.message);
	try {
		return await testWithStripe(check.credentials);
	} catch (error) {
		if (!isStripeError(error)) return failure(`The test could not finish: ${error instanceof Error ? error.message : String(error)}`);
		if (error.statusCode === 401) {
			return failure('Stripe did not accept this API key: it may have been deleted, rolled or expired. Create a new restricted key in Stripe Dashboard → Developers → API keys.');
		}
		const missing = error.statusCode === 403 ? parseMissingPermissions(error.message) : [];
		if (missing.length > 0) return failure(missingPermissionMessage(missing));
		return failure(`Stripe refused the test request: ${error.message}`);
	}
}
