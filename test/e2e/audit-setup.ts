/**
 * What a user does once in n8n's editor before the approval can keep an audit trail: data tables
 * (with the audit columns, or others), and an n8n API key limited to rows. Done on a real n8n
 * started for it and stopped again, so that the workflows imported afterwards can name the tables
 * by ID, as workflows saved in the editor do.
 */
import { node } from './workflows';

const runtime =
	require('../../scripts/n8n-runtime.js') as typeof import('../../scripts/n8n-runtime.js');

type Runtime = ReturnType<typeof runtime.ensureN8n>;
type Env = ReturnType<typeof runtime.n8nEnv>;

/** n8n's REST API as the editor calls it (the owner's session). */
export function ownerRest(url: string, cookie: string) {
	return async function rest<T>(
		path: string,
		init: { method?: string; body?: unknown } = {},
	): Promise<T> {
		const res = await fetch(`${url}/rest${path}`, {
			method: init.method ?? 'GET',
			headers: { cookie, 'Content-Type': 'application/json' },
			...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
		});
		if (!res.ok)
			throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
		return ((await res.json()) as { data: T }).data;
	};
}

/** The scopes the Stripe Guard Audit Trail API credential needs, and no other. */
export const AUDIT_KEY_SCOPES = ['dataTable:list', 'dataTableRow:create', 'dataTableRow:read'];

/**
 * Starts n8n, creates the owner, the tables (name → columns) and an API key with the audit
 * scopes, stops n8n; returns the tables' IDs by name and the key.
 */
export async function prepareAuditTrail(
	n8n: Runtime,
	env: Env,
	tables: Record<string, ReadonlyArray<{ name: string; type: string }>>,
): Promise<{ tableIds: Record<string, string>; apiKey: string }> {
	const server = await runtime.startServer(n8n, env);
	try {
		const { cookie } = await runtime.setupOwner(server.url);
		const rest = ownerRest(server.url, cookie);
		const projectId = (await rest<{ id: string }>('/projects/personal')).id;
		const tableIds: Record<string, string> = {};
		for (const [name, columns] of Object.entries(tables))
			tableIds[name] = (
				await rest<{ id: string }>(`/projects/${projectId}/data-tables`, {
					method: 'POST',
					body: { name, columns },
				})
			).id;
		const { rawApiKey } = await rest<{ rawApiKey: string }>('/api-keys', {
			method: 'POST',
			body: { label: 'Stripe Guard audit trail', expiresAt: null, scopes: AUDIT_KEY_SCOPES },
		});
		return { tableIds, apiKey: rawApiKey };
	} finally {
		await server.stop();
	}
}

/** The audit trail's credential for a server on 127.0.0.1:`port`. */
export const auditCredential = (
	credential: { id: string; name: string },
	apiKey: string,
	port: number,
) => ({
	...credential,
	type: 'stripeGuardAuditApi',
	data: { apiKey, baseUrl: `http://127.0.0.1:${port}/api/v1` },
});

type CredentialRef = { id: string; name: string };

/**
 * A Stripe Guard Approval with Audit Trail on, into the table `tableId`, its request to the
 * Slack-compatible webhook `webhookUrl`; at `x` on the canvas.
 */
export const auditedApproval = (
	webhookUrl: string,
	tableId: string,
	x: number,
	credentials: { writes: CredentialRef; audit: CredentialRef },
) =>
	node(
		'Stripe Guard Approval',
		'n8n-nodes-stripe-guard.stripeGuardApproval',
		{
			operation: 'sendAndWait',
			webhookUrl,
			expireAfter: 1,
			expireUnit: 'hours',
			auditTrail: true,
			auditTable: { __rl: true, mode: 'id', value: tableId },
		},
		[x, 0],
		{
			credentials: {
				stripeRestrictedKeyApi: credentials.writes,
				stripeGuardAuditApi: credentials.audit,
			},
		},
	);
