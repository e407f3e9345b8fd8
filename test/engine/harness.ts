/**
 * Runs Stripe Guard nodes through n8n-core's real WorkflowExecute: a workflow of an item
 * source and the node under test, credentials served by an ICredentialsHelper as n8n's own is.
 */
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import {
	CredentialTestContext,
	ExecutionLifecycleHooks,
	LoadOptionsContext,
	WorkflowExecute,
} from 'n8n-core';
import {
	ICredentialsHelper,
	LoggerProxy,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type INode,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type NodeExecutionHint,
	isExpression,
	NodeConnectionTypes,
} from 'n8n-workflow';

import { StripeRestrictedKeyApi } from '../../credentials/StripeRestrictedKeyApi.credentials';
import { StripeGuard } from '../../nodes/StripeGuard/StripeGuard.node';
import { StripeGuardApproval } from '../../nodes/StripeGuardApproval/StripeGuardApproval.node';
import { StripeGuardTrigger } from '../../nodes/StripeGuardTrigger/StripeGuardTrigger.node';

export const STRIPE_GUARD = 'n8n-nodes-stripe-guard.stripeGuard';
export const STRIPE_GUARD_APPROVAL = 'n8n-nodes-stripe-guard.stripeGuardApproval';
export const STRIPE_GUARD_TRIGGER = 'n8n-nodes-stripe-guard.stripeGuardTrigger';
export const ITEMS_NODE = 'test.items';
export const CREDENTIAL_TYPE = 'stripeRestrictedKeyApi';

/**
 * The workflow's first node: emits the JSON items given
 * in its `items` parameter (the test's input data).
 */
class ItemsSource implements INodeType {
	description = {
		displayName: 'Items',
		name: 'items',
		group: ['input'],
		version: 1,
		description: 'Emits fixed items',
		defaults: { name: 'Items' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Items', name: 'items', type: 'json', default: '[{}]' },
		] as INodeProperties[],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = JSON.parse(this.getNodeParameter('items', 0) as string) as IDataObject[];
		return [items.map((json, i) => ({ json, pairedItem: { item: i } }))];
	}
}

/**
 * As n8n's tool generation: the same node under a name
 * ending in Tool (what `@tool` display options test).
 */
function toolVariant(node: INodeType): INodeType {
	const variant = Object.create(node) as INodeType;
	variant.description = {
		...node.description,
		name: `${node.description.name}Tool`,
		displayName: `${node.description.displayName} Tool`,
	};
	return variant;
}

const nodeTypeByName: Record<string, INodeType> = {
	[STRIPE_GUARD]: new StripeGuard(),
	// n8n registers the agent-tool variant of a usableAsTool node under `<type>Tool`, named so.
	[`${STRIPE_GUARD}Tool`]: toolVariant(new StripeGuard()),
	[STRIPE_GUARD_APPROVAL]: new StripeGuardApproval(),
	[STRIPE_GUARD_TRIGGER]: new StripeGuardTrigger(),
	[ITEMS_NODE]: new ItemsSource(),
};

export const nodeTypes: INodeTypes = {
	getByName: (name) => nodeTypeByName[name],
	getByNameAndVersion: (name) => nodeTypeByName[name],
	getKnownTypes: () => ({}),
};

const credentialTypes: Record<string, ICredentialType> = {
	[CREDENTIAL_TYPE]: new StripeRestrictedKeyApi(),
};

/**
 * Serves the test's credential data to the engine and authenticates requests as n8n's own
 * CredentialsHelper does (packages/cli/src/credentials-helper.ts, n8n 2.41): a function
 * `authenticate` is called; a generic one has each of its properties resolved as an expression
 * with `$credentials` and set on the request (headers, qs, body, auth).
 */
/** How often a node had n8n decrypt its credential (in a real n8n, a database read each time). */
export const credentialDecryptions = { count: 0 };

class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: ICredentialDataDecryptedObject) {
		super();
	}
	getParentTypes(): string[] {
		return [];
	}
	/**
	 * As n8n: a credential type with `restrictToSupportedNodes` only
	 * for the node types that declare it (tool variants included).
	 */
	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		if (!credentialTypes[credentialType]?.restrictToSupportedNodes) return true;
		return Object.entries(nodeTypeByName).some(
			([name, type]) =>
				name === nodeType && type.description.credentials?.some((c) => c.name === credentialType),
		);
	}
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const authenticate = credentialTypes[typeName]?.authenticate;
		if (!authenticate) return requestOptions;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		requestOptions.headers ??= {};
		if (authenticate.type === 'generic') {
			const resolve = (value: string) =>
				isExpression(value)
					? String(
							workflow.expression.getSimpleParameterValue(
								node,
								value,
								'internal',
								{ $credentials: credentials },
								undefined,
								'',
							) || '',
						)
					: value;
			const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
			for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
				for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
					target[outerKey] ??= {};
					target[outerKey][resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions;
	}
	async preAuthentication(): Promise<undefined> {
		return undefined;
	}
	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}
	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used by these tests');
	}
	async getDecrypted(): Promise<ICredentialDataDecryptedObject> {
		credentialDecryptions.count++;
		return structuredClone(this.data);
	}
	async updateCredentials(): Promise<void> {}
	async updateCredentialsOauthTokenData(): Promise<void> {}
	getCredentialsProperties(): INodeProperties[] {
		return [];
	}
}

export interface TestCredential {
	apiKey: string;
	environment?: 'test' | 'live';
	accountId?: string;
	allowWrites?: boolean;
}

export function credentialData(c: TestCredential): ICredentialDataDecryptedObject {
	return {
		apiKey: c.apiKey,
		environment: c.environment ?? (c.apiKey.startsWith('rk_live_') ? 'live' : 'test'),
		accountId: c.accountId ?? '',
		allowWrites: c.allowWrites ?? false,
	};
}

export interface RunOptions {
	parameters: INodeParameters;
	credential: TestCredential;
	/** Input items of the node under test; one empty item by default. */
	items?: IDataObject[];
	continueOnFail?: boolean;
	/** n8n's node setting Retry On Fail: this many tries in all, no wait between them. */
	retryOnFail?: number;
	/** Run as the agent-tool variant (`stripeGuardTool`). */
	asTool?: boolean;
	/** The node's typeVersion: 1 (every saved workflow before version 2) unless given. */
	typeVersion?: number;
}

export interface NodeRunError {
	message: string;
	description?: string | null;
	httpCode?: string | null;
	context?: { itemIndex?: number };
	name?: string;
}

export interface NodeRun {
	status: IRun['status'];
	items: INodeExecutionData[];
	error?: NodeRunError;
	hints: NodeExecutionHint[];
	run: IRun;
}

/** What n8n's server hands the engine for one execution, pointed at 127.0.0.1. */
export function buildAdditionalData(
	credential: TestCredential,
	workflowData: IWorkflowBase,
	executionId: string,
): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper: new TestCredentialsHelper(credentialData(credential)),
		hooks: new ExecutionLifecycleHooks('manual', executionId, workflowData),
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		variables: {},
		logAiEvent: () => {},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		executeWorkflow: async () => {
			throw new Error('sub-workflows are not used by these tests');
		},
		startRunnerTask: async () => {
			throw new Error('task runners are not used by these tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}

let executionCounter = 0;

/** Runs [Items] → [Stripe Guard] through WorkflowExecute and returns what Stripe Guard produced. */
export async function runStripeGuard(options: RunOptions): Promise<NodeRun> {
	const nodes: INode[] = [
		{
			id: 'items',
			name: 'Items',
			type: ITEMS_NODE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { items: JSON.stringify(options.items ?? [{}]) },
		},
		{
			id: 'stripe-guard',
			name: 'Stripe Guard',
			type: options.asTool ? `${STRIPE_GUARD}Tool` : STRIPE_GUARD,
			typeVersion: options.typeVersion ?? 1,
			position: [200, 0],
			parameters: options.parameters,
			credentials: { [CREDENTIAL_TYPE]: { id: 'cred-1', name: 'Stripe test' } },
			...(options.continueOnFail && { onError: 'continueRegularOutput' as const }),
			...(options.retryOnFail && {
				retryOnFail: true,
				maxTries: options.retryOnFail,
				waitBetweenTries: 0,
			}),
		},
	];
	const connections = {
		Items: { main: [[{ node: 'Stripe Guard', type: NodeConnectionTypes.Main, index: 0 }]] },
	};
	const id = `wf-${++executionCounter}`;
	const workflow = new Workflow({
		id,
		name: 'test',
		nodes,
		connections,
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});
	const workflowData: IWorkflowBase = {
		id,
		name: 'test',
		active: false,
		isArchived: false,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	} as IWorkflowBase;
	const executionId = `exec-${executionCounter}`;
	const additionalData = buildAdditionalData(options.credential, workflowData, executionId);

	const run = await new WorkflowExecute(additionalData, 'manual').run({
		workflow,
		startNode: workflow.getNode('Items') ?? undefined,
	});
	const taskData = run.data.resultData.runData['Stripe Guard']?.[0];
	const error = (taskData?.error ?? run.data.resultData.error) as NodeRunError | undefined;
	return {
		status: run.status,
		items: taskData?.data?.main?.[0] ?? [],
		error,
		hints: taskData?.hints ?? [],
		run,
	};
}

/**
 * The editor's look-up context, as n8n's server builds it for `/rest/dynamic-node-parameters/…`
 * (DynamicNodeParametersService, n8n 2.41): a workflow holding only the node being edited, with its
 * current parameters and credential, and n8n-core's LoadOptionsContext on it.
 */
export function loadOptionsContext(
	credential: TestCredential,
	parameters: INodeParameters = {},
	path = 'parameters',
): ILoadOptionsFunctions {
	const node: INode = {
		id: 'stripe-guard',
		name: 'Stripe Guard',
		type: STRIPE_GUARD,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { [CREDENTIAL_TYPE]: { id: 'cred-1', name: 'Stripe test' } },
	};
	const id = `wf-${++executionCounter}`;
	const workflow = new Workflow({
		id,
		name: 'editor',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});
	const workflowData = {
		id,
		name: 'editor',
		active: false,
		isArchived: false,
		nodes: [node],
		connections: {},
		settings: {},
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	} as IWorkflowBase;
	const additionalData = buildAdditionalData(
		credential,
		workflowData,
		`load-options-${executionCounter}`,
	);
	additionalData.currentNodeParameters = parameters;
	return new LoadOptionsContext(workflow, node, additionalData, path);
}

/**
 * Runs the credential test as n8n does: the node's
 * `testedBy` method in n8n-core's CredentialTestContext.
 */
export async function testCredential(
	credential: TestCredential | ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
	const data =
		'environment' in credential &&
		typeof credential.environment === 'string' &&
		'allowWrites' in credential
			? (credential as ICredentialDataDecryptedObject)
			: credentialData(credential as TestCredential);
	const node = new StripeGuard();
	const method = node.description.credentials?.[0].testedBy as string;
	return await node.methods.credentialTest[method as 'stripeRestrictedKeyApiTest'].call(
		new CredentialTestContext(),
		{
			id: 'cred-1',
			name: 'Stripe test',
			type: CREDENTIAL_TYPE,
			data,
		},
	);
}

/** Records every log line n8n's logger and LoggerProxy write while the callback runs. */
export async function captureLogs<T>(
	callback: () => Promise<T>,
): Promise<{ result: T; lines: string[] }> {
	const lines: string[] = [];
	const record = (level: string) => (message: string, meta?: unknown) => {
		lines.push(`${level} ${message} ${meta === undefined ? '' : safeStringify(meta)}`);
	};
	const capturing = {
		error: record('error'),
		warn: record('warn'),
		info: record('info'),
		debug: record('debug'),
		scoped: () => capturing,
	};
	const previous = Container.get(Logger);
	Container.set(Logger, capturing as unknown as Logger);
	LoggerProxy.init(capturing);
	try {
		return { result: await callback(), lines };
	} finally {
		Container.set(Logger, previous);
		LoggerProxy.init(previous);
	}
}

function safeStringify(value: unknown): string {
	const seen = new WeakSet();
	return JSON.stringify(value, (_k, v: unknown) => {
		if (typeof v === 'object' && v !== null) {
			if (seen.has(v)) return '[circular]';
			seen.add(v);
		}
		if (v instanceof Error) return { ...v, name: v.name, message: v.message, stack: v.stack };
		return v;
	});
}
