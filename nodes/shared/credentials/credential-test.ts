/**
 * The credential test of `stripeRestrictedKeyApi`: a real read, the mode and account checks,
 * and the over-permission probe that keeps a key able to write out of a read-only setup
 * without ever changing Stripe data.
 */
import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { checkCredentials, type StripeGuardCredentials } from './credentials';
import { KEY_NOT_ACCEPTED, NEW_KEY_HINT, redactKeys } from '../errors';
import {
	describePermission,
	missingPermissionMessage,
	parseMissingPermissions,
} from './permissions';
import {
	createCredentialTestClient,
	isStripeApiError as isStripeError,
	type StripeClient,
} from '../transport';

/**
 * A parameter no Stripe endpoint knows. Stripe refuses a request that carries one as a whole
 * (400 `parameter_unknown`, `param` naming it) and applies nothing of it, and it checks the key's
 * permission for the endpoint before it reads any parameter: a read-only key gets 403 instead.
 */
const PROBE_PARAM = 'stripe_guard_write_probe';
/**
 * One harmless write per permission a workflow could misuse: each write declares its probe
 * (nodes/StripeGuard/writes/), made harmless by the unknown parameter alone, and where Stripe
 * has one an update that would carry no field even if the parameter were ignored.
 */
export interface WriteProbe {
	permission: string;
	path: string;
}

/** Settles a Stripe call into its value or its error, so the checks below read top to bottom. */
async function settle<T>(call: PromiseLike<T>): Promise<{ value: T } | { error: unknown }> {
	return await Promise.resolve(call).then(
		(value) => ({ value }),
		(error: unknown) => ({ error }),
	);
}

function failure(message: string): INodeCredentialTestResult {
	return { status: 'Error', message: redactKeys(message) };
}

/** What a failed request means for the person testing the credential. */
function explainFailure(error: unknown): INodeCredentialTestResult {
	if (!isStripeError(error))
		return failure(
			`The test could not finish: ${error instanceof Error ? error.message : String(error)}`,
		);
	if (error.statusCode === 401) {
		return failure(`${KEY_NOT_ACCEPTED} ${NEW_KEY_HINT}.`);
	}
	const missing = error.statusCode === 403 ? parseMissingPermissions(error.message) : [];
	if (missing.length > 0) return failure(missingPermissionMessage(missing));
	return failure(`Stripe refused the test request: ${error.message}`);
}

/** A key's account: from /v1/account, or from the 403 naming it when the key may not read that. */
async function checkAccount(
	stripe: StripeClient,
	expected: string,
): Promise<INodeCredentialTestResult | undefined> {
	const outcome = await settle(stripe.accounts.retrieveCurrent());
	let account: string | undefined;
	if ('value' in outcome) account = outcome.value.id;
	else if (isStripeError(outcome.error) && outcome.error.statusCode === 403) {
		account = /on account '(acct_[A-Za-z0-9]+)'/.exec(outcome.error.message)?.[1];
	} else return explainFailure(outcome.error);
	if (account === expected) return undefined;
	return failure(
		account
			? `This key belongs to account ${account}, not ${expected}. ` +
					`Use a key of ${expected}, or correct the Account ID.`
			: 'Stripe did not say which account this key belongs to, ' +
					`so it cannot be checked against ${expected}. Clear the Account ID to skip this check.`,
	);
}

/** Fails when the key can write anything while Allow Writes is off, naming what it can write. */
async function checkReadOnly(
	stripe: StripeClient,
	probes: readonly WriteProbe[],
): Promise<INodeCredentialTestResult | undefined> {
	const outcomes = await Promise.all(
		probes.map(async ({ permission, path }) => ({
			permission,
			outcome: await settle(stripe.rawRequest('POST', path, { [PROBE_PARAM]: 'true' })),
		})),
	);
	const writable: string[] = [];
	for (const { permission, outcome } of outcomes) {
		if ('value' in outcome) {
			// Stripe never accepts the probe's parameter, but a success means the key can write
			writable.push(permission);
			continue;
		}
		const error = outcome.error;
		if (!isStripeError(error)) return explainFailure(error);
		if (error.statusCode === 403) continue;
		// Past the permission check: the probe's own refusal, or an ID looked up before the parameters.
		const refused =
			error.statusCode === 400 && error.code === 'parameter_unknown' && error.param === PROBE_PARAM;
		const missing = error.statusCode === 404 && error.code === 'resource_missing';
		if (refused || missing) writable.push(permission);
		else return explainFailure(error);
	}
	if (writable.length === 0) return undefined;
	const named = writable.map((p) => `${describePermission(p)} (${p})`).join(', ');
	return failure(
		`This key can write ${named}, but Allow Writes is off. Give n8n a read-only key ` +
			'(edit the key in Stripe Dashboard → Developers → API keys and set these to Read or None), ' +
			'or turn on Allow Writes if approved proposals should change Stripe data ' +
			'with this credential.',
	);
}

async function testWithStripe(
	stripe: StripeClient,
	credentials: StripeGuardCredentials,
	probes: readonly WriteProbe[],
): Promise<INodeCredentialTestResult> {
	const read = await settle(stripe.customers.list({ limit: 1 }));
	if ('error' in read) return explainFailure(read.error);
	const sample = read.value.data[0];
	if (sample && sample.livemode !== (credentials.mode === 'live')) {
		return failure(
			`Stripe answered with ${sample.livemode ? 'live' : 'test'}-mode data, ` +
				`but the Environment is ${credentials.mode === 'live' ? 'Live' : 'Test'}. ` +
				'Check which key you pasted.',
		);
	}
	const problem =
		(credentials.accountId && (await checkAccount(stripe, credentials.accountId))) ||
		(!credentials.allowWrites && (await checkReadOnly(stripe, probes))) ||
		undefined;
	if (problem) return problem;
	const account = credentials.accountId ? ` (account ${credentials.accountId})` : '';
	const readOnly = credentials.allowWrites ? '' : ' with a read-only key';
	return {
		status: 'OK',
		message: `Connected to Stripe in ${credentials.mode} mode${account}${readOnly}.`,
	};
}

/** The credential test of `stripeRestrictedKeyApi`, probing for the given writes. */
export function credentialTest(probes: readonly WriteProbe[]) {
	return async function stripeRestrictedKeyApiTest(
		this: ICredentialTestFunctions,
		credential: ICredentialsDecrypted,
	): Promise<INodeCredentialTestResult> {
		const check = checkCredentials(credential.data);
		if (!check.ok) return failure(check.message);
		return await testWithStripe(
			createCredentialTestClient(this, check.credentials),
			check.credentials,
			probes,
		);
	};
}
