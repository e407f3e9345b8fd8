/**
 * The `stripeRestrictedKeyApi` credential's data, checked before any request is made.
 * Every refusal says what is wrong and what to do, and none repeats the key.
 */
import {
	NodeOperationError,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type IPollFunctions,
	type IWebhookFunctions,
} from 'n8n-workflow';
import { z } from 'zod';

export const CREDENTIAL_TYPE = 'stripeRestrictedKeyApi';

export type StripeMode = 'test' | 'live';

export interface StripeGuardCredentials {
	apiKey: string;
	mode: StripeMode;
	accountId?: string;
	allowWrites: boolean;
	/**
	 * The share (percent, 1–100) of the account's Stripe rate limits this n8n may use, for accounts
	 * whose own backend needs headroom. Credentials saved before it existed have none: 100.
	 */
	accountShare?: number;
}

// Stripe's restricted keys are 24 characters after the prefix (older) or ~99 (newer).
const MIN_KEY_BODY = 24;
const RESTRICTED_KEY = new RegExp(`^rk_(test|live)_[A-Za-z0-9]{${MIN_KEY_BODY},}$`);

// The pre-filled link is a clickable link at the top of the credential form; here it would be text.
const createKeyHint = (mode: string) =>
	'Create a restricted key with the link at the top of the Stripe Guard credential form ' +
	'(it opens Stripe with the read permissions Stripe Guard needs already chosen) ' +
	`and paste it instead; it starts with rk_${mode}_.`;

/** Says why a string is not a usable restricted key, or returns undefined when it is one. */
export function explainKeyProblem(raw: unknown): string | undefined {
	if (typeof raw !== 'string' || raw.length === 0) {
		return (
			'No API key entered. Paste a restricted key from Stripe Dashboard → Developers → API keys; ' +
			'it starts with rk_test_ or rk_live_.'
		);
	}
	if (raw.trim() !== raw) {
		return (
			'The API key has spaces or line breaks before or after it. ' +
			'Remove them and paste the key again.'
		);
	}
	if (raw.trim() === '') return explainKeyProblem('');
	const secret = /^sk_(test|live)_/.exec(raw);
	if (secret) {
		return (
			`This is a secret key (sk_${secret[1]}_…), which can do anything in your Stripe account, ` +
			'including moving money. Stripe Guard only accepts restricted keys, ' +
			`so that n8n and AI agents get no more access than they need. ${createKeyHint(secret[1])}`
		);
	}
	if (/^pk_(test|live)_/.test(raw)) {
		return (
			'This is a publishable key (pk_…), which is meant for web pages ' +
			`and cannot read your Stripe data. ${createKeyHint('test')}`
		);
	}
	if (raw.startsWith('whsec_')) {
		return (
			'This is a webhook signing secret (whsec_…), which verifies webhooks ' +
			`and cannot call Stripe's API. ${createKeyHint('test')}`
		);
	}
	const restricted = /^rk_(test|live)_([A-Za-z0-9]*)$/.exec(raw);
	if (restricted && restricted[2].length < MIN_KEY_BODY) {
		return (
			`This restricted key looks cut off: it has ${restricted[2].length} characters ` +
			`after rk_${restricted[1]}_, but Stripe's have at least ${MIN_KEY_BODY}. ` +
			'Copy the whole key again from Stripe Dashboard → Developers → API keys.'
		);
	}
	if (!RESTRICTED_KEY.test(raw)) {
		return (
			'This is not a Stripe restricted key. Stripe Guard needs a restricted key, ' +
			'which starts with rk_test_ or rk_live_ followed by letters and digits. ' +
			'Copy it from Stripe Dashboard → Developers → API keys.'
		);
	}
	return undefined;
}

const credentialSchema = z
	.object({
		apiKey: z.unknown().superRefine((value, ctx) => {
			const problem = explainKeyProblem(value);
			if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
		}),
		environment: z.enum(['test', 'live'], {
			errorMap: () => ({ message: 'Choose the Environment: Test or Live.' }),
		}),
		accountId: z
			.string()
			.trim()
			.optional()
			.transform((v) => (v ? v : undefined))
			.refine((v) => v === undefined || /^acct_[A-Za-z0-9]+$/.test(v), {
				message:
					'The Account ID must look like acct_1A2b3C… ' +
					'(Stripe Dashboard → Settings → Account details), or be left empty.',
			}),
		allowWrites: z.boolean().optional().default(false),
		// Absent from credentials saved before it existed, and empty when cleared: all of it.
		accountShare: z
			.union([z.number(), z.string().trim()])
			.optional()
			.transform((v) => (v === undefined || v === '' ? 100 : Number(v)))
			.refine((v) => Number.isFinite(v) && v >= 1 && v <= 100, {
				message:
					"The Account Share must be a percentage from 1 to 100 of the account's Stripe rate " +
					'limits (100: all of it), or be left empty.',
			}),
	})
	.superRefine((data, ctx) => {
		const key = data.apiKey as string;
		if (explainKeyProblem(key)) return;
		const keyMode = key.startsWith('rk_live_') ? 'live' : 'test';
		if (keyMode !== data.environment) {
			ctx.addIssue({
				code: z.ZodIssueCode.custom,
				path: ['environment'],
				message:
					keyMode === 'live'
						? 'This is a live-mode key (rk_live_…) but the Environment is set to Test. ' +
							'Choose Live, or use a test-mode key (rk_test_…).'
						: 'This is a test-mode key (rk_test_…) but the Environment is set to Live. ' +
							'Choose Test, or use a live-mode key (rk_live_…).',
			});
		}
	});

export type CredentialCheck =
	| { ok: true; credentials: StripeGuardCredentials }
	| { ok: false; message: string };

/** Validates the credential's fields; the first problem found is the message. */
export function checkCredentials(data: Record<string, unknown> | undefined): CredentialCheck {
	const parsed = credentialSchema.safeParse(data ?? {});
	if (!parsed.success) return { ok: false, message: parsed.error.issues[0].message };
	const { apiKey, environment, accountId, allowWrites, accountShare } = parsed.data;
	return {
		ok: true,
		credentials: {
			apiKey: apiKey as string,
			mode: environment,
			accountId,
			allowWrites,
			accountShare,
		},
	};
}

/** The node's credential, checked; refuses with what is wrong before any request is made. */
export async function readCredentials(
	fn: IExecuteFunctions | IWebhookFunctions | IPollFunctions | ILoadOptionsFunctions,
): Promise<StripeGuardCredentials> {
	const check = checkCredentials(await fn.getCredentials<Record<string, unknown>>(CREDENTIAL_TYPE));
	if (!check.ok)
		throw new NodeOperationError(
			fn.getNode(),
			`The Stripe Guard credential cannot be used: ${check.message}`,
		);
	return check.credentials;
}

/**
 * Said when a node that only reads uses a credential with Allow Writes on: a read, report or
 * trigger should not hold a key that can write (n8n fills new nodes with a credential of the type
 * on its own, which may be the write one).
 */
export function writeCredentialOnReadWarning(node: {
	credentials?: Record<string, { name?: string | null }>;
}): string {
	const name = node.credentials?.[CREDENTIAL_TYPE]?.name;
	return (
		`The credential${name ? ` "${name}"` : ''} has Allow Writes on, but this node only reads. ` +
		'Choose a read-only credential (Allow Writes off) here; ' +
		'keep the write credential for Stripe Guard Approval.'
	);
}
