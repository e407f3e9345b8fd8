import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * An n8n API key for Stripe Guard's audit trail: the approval node appends its rows to a Data
 * Table through n8n's public API, and Proposal Status reads them back. Only this package's nodes
 * may use it.
 */
export class StripeGuardAuditApi implements ICredentialType {
	name = 'stripeGuardAuditApi';

	displayName = 'Stripe Guard Audit Trail API';

	icon = { light: 'file:stripeGuard.svg', dark: 'file:stripeGuard.dark.svg' } as const;

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-stripe-guard#audit-trail';

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'X-N8N-API-KEY': '={{$credentials.apiKey}}' } },
	};

	/** Lists one data table: the key, the URL and the scope to read tables. */
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/data-tables',
			qs: { limit: 1 },
		},
	};

	restrictToSupportedNodes = true as const;

	properties: INodeProperties[] = [
		{
			displayName:
				'An n8n API key (Settings → n8n API → Create an API key) with the scopes ' +
				'dataTable:list, dataTableRow:create and dataTableRow:read, so that Stripe Guard ' +
				"can append audit rows to a Data Table and read them back. It can't update or " +
				'delete rows: the trail is append-only from the nodes’ side.',
			name: 'about',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
		},
		{
			displayName: 'n8n API URL',
			name: 'baseUrl',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'https://your-n8n.example.com/api/v1',
			description:
				"This n8n's public API: its address followed by /api/v1 " +
				'(the credential test lists one data table there)',
		},
	];
}
