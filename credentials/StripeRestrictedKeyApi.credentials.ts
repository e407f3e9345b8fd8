import type { IAuthenticateGeneric, ICredentialType, INodeProperties } from 'n8n-workflow';

import { KEY_CREATION_URL } from '../nodes/shared/credentials/permissions';

/**
 * A Stripe restricted API key (rk_test_… / rk_live_…), sent as a Bearer token by n8n's HTTP
 * helpers. Checked by the Stripe Guard node's credential test (a real read, mode and account
 * checks, and a probe for write access). Only this package's nodes may use it: with
 * `authenticate`, n8n would otherwise offer it to the HTTP Request node, where a key allowed to
 * write could write without an approval.
 */
export class StripeRestrictedKeyApi implements ICredentialType {
	name = 'stripeRestrictedKeyApi';

	// Next to n8n's own "Stripe API" (a secret key for
	// the built-in Stripe node), it says whose it is.
	displayName = 'Stripe Guard (Restricted Key) API';

	icon = { light: 'file:stripeGuard.svg', dark: 'file:stripeGuard.dark.svg' } as const;

	documentationUrl =
		'https://www.npmjs.com/package/n8n-nodes-stripe-guard#create-the-restricted-key';

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};

	/**
	 * n8n (2.41 and later) decrypts it only for the nodes that
	 * declare it (Stripe Guard, its tool, the approval, the trigger).
	 */
	restrictToSupportedNodes = true as const;

	properties: INodeProperties[] = [
		{
			displayName:
				"For the Stripe Guard nodes (not n8n's built-in Stripe node). " +
				`<a href="${KEY_CREATION_URL.replace(/&/g, '&amp;')}" target="_blank">` +
				'Create a restricted key in Stripe</a> with the read permissions Stripe Guard needs ' +
				'already chosen; what each feature needs (writes included) is in ' +
				'<a href="https://www.npmjs.com/package/n8n-nodes-stripe-guard#permissions-per-feature" ' +
				'target="_blank">the package\'s README</a>.',
			name: 'about',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Restricted API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'rk_test_…',
			description:
				'A restricted key from Stripe Dashboard → Developers → API keys (rk_test_… or ' +
				'rk_live_…). Secret keys (sk_…) are refused: give n8n only the permissions it needs.',
		},
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Test', value: 'test' },
				{ name: 'Live', value: 'live' },
			],
			default: 'test',
			description: 'Must match the key: rk_test_ keys are Test, rk_live_ keys are Live',
		},
		{
			displayName: 'Account ID',
			name: 'accountId',
			type: 'string',
			default: '',
			placeholder: 'acct_…',
			description:
				'Optional. When set, the credential test checks that the key belongs to this account.',
		},
		{
			displayName: 'Allow Writes',
			name: 'allowWrites',
			type: 'boolean',
			default: false,
			description:
				'Whether approved proposals may change Stripe data with this credential. ' +
				'Off: the key must be read-only, and writes are refused even after approval.',
		},
		{
			displayName: 'Account Share (%)',
			name: 'accountShare',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 100, numberPrecision: 0 },
			default: 100,
			description:
				"The share of the Stripe account's rate limits this n8n may use (100: all of it). " +
				'Lower it when your own backend calls Stripe with the same account and needs ' +
				'headroom: every Stripe Guard node with this credential, in each n8n process, paces ' +
				'below this share and yields further when Stripe answers 429.',
		},
	];
}
