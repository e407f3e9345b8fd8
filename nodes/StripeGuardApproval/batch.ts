/**
 * The batch a person is asked to approve: the proposals in the input items (from Stripe Guard
 * directly, or inside an AI Agent's intermediate steps), each verified, with totals per currency.
 */
import {
	NodeConnectionTypes,
	nodeNameToToolName,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type NodeTypeAndVersion,
} from 'n8n-workflow';

import { formatAmount } from '../shared/amounts';
import type { StripeMode } from '../shared/credentials/credentials';
import { PROPOSAL_TYPE, verifyProposal, type Proposal } from '../shared/proposals/proposals';
import { EXECUTABLE_WRITES } from '../StripeGuard/writes';
import type { AgentOrigin } from './audit';

export interface BatchEntry {
	proposal: Proposal;
	/** The input item it came from, for paired items and error messages. */
	itemIndex: number;
	/** Which agent, tool and model asked for it, when an AI Agent's tool made it. */
	agent?: AgentOrigin;
}

/**
 * A refused proposal; an expired one (its signature was good) is kept to report it, any other
 * as what it claims to be (for the audit row only).
 */
export type BatchProblem = {
	itemIndex: number;
	reason: string;
	expired?: BatchEntry;
	claimed?: IDataObject;
};

const isProposalLike = (value: unknown): boolean =>
	!!value && typeof value === 'object' && (value as IDataObject).type === PROPOSAL_TYPE;

/** A proposal-shaped object that will not be executed, shown to the approver as refused. */
export type Refused = { itemIndex: number; reason: string };

/** Every proposal-shaped object at any depth of a tool's output (JSON text included). */
function proposalLikeIn(value: unknown, found: IDataObject[] = []): IDataObject[] {
	if (typeof value === 'string') {
		const text = value.trim();
		if (text.includes(PROPOSAL_TYPE) && /^[[{]/.test(text)) {
			try {
				proposalLikeIn(JSON.parse(text), found);
			} catch {
				// Not JSON: prose, which holds no proposal.
			}
		}
	} else if (Array.isArray(value)) {
		value.forEach((v) => proposalLikeIn(v, found));
	} else if (isProposalLike(value)) {
		found.push(value as IDataObject);
	} else if (value && typeof value === 'object') {
		Object.values(value).forEach((v) => proposalLikeIn(v, found));
	}
	return found;
}

/** A tool's output as the agent saw it: JSON text parsed, the list of its items. */
function outputItems(observation: unknown): unknown[] {
	let value = observation;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return [];
		}
	}
	return Array.isArray(value) ? value : [value];
}

/**
 * Proposals in an AI Agent's intermediate steps ("Return Intermediate Steps" on): only an item of
 * a Stripe Guard tool's output counts. A proposal-shaped object anywhere else (inside an HTTP
 * tool's response, fetched web content, nested in another shape) is refused and listed, without
 * blocking the genuine proposals.
 */
function proposalsInAgentSteps(
	steps: unknown[],
	tools: AgentTools,
	itemIndex: number,
	refused: Refused[],
): Candidate[] {
	const found: Candidate[] = [];
	for (const step of steps) {
		const { action, observation } = (step ?? {}) as IDataObject;
		const tool = String((action as IDataObject | undefined)?.tool ?? '');
		const trusted = tools.stripeGuard.has(tool);
		for (const item of outputItems(observation)) {
			if (trusted && isProposalLike(item)) {
				const agent: AgentOrigin = {
					...(tools.agents.get(tool) ?? { agentNode: '', chatModelNode: '', chatModel: '' }),
					agentTool: tool,
					agentToolInput: (action as IDataObject).toolInput ?? null,
				};
				found.push({ value: item as IDataObject, agent });
				continue;
			}
			const other = tools.other.get(tool);
			const where = trusted
				? ', nested inside another object'
				: tools.shared.has(tool) && other !== undefined
					? `, a name that "${other.slice(0, 64)}" has too, which is not a Stripe Guard tool`
					: ', not from a Stripe Guard tool';
			for (const p of proposalLikeIn(item)) {
				refused.push({
					itemIndex,
					reason:
						`Proposal ${String(p.proposalId).slice(0, 40)} came from the output of tool ` +
						`"${tool.slice(0, 64)}"${where}, so it is not accepted.`,
				});
			}
		}
	}
	return found;
}

/** A proposal found in the input, with the agent that asked for it if one did. */
type Candidate = { value: IDataObject; agent?: AgentOrigin };

/** The agent behind a tool name, as n8n shows it: the agent node and its chat model. */
type AgentOfTool = Pick<AgentOrigin, 'agentNode' | 'chatModelNode' | 'chatModel'>;

/** The tool names an AI Agent's steps can show, sorted by the type of the nodes behind them. */
export interface AgentTools {
	/** Names that only Stripe Guard tool nodes have: their outputs are trusted. */
	stripeGuard: Set<string>;
	/** Names of tool nodes of any other type, with the node that has each. */
	other: Map<string, string>;
	/** Names a Stripe Guard tool shares with a tool of another type: trusted for neither. */
	shared: Set<string>;
	/** For the audit: the agent (and its chat model) each Stripe Guard tool name belongs to. */
	agents: Map<string, AgentOfTool>;
}

/** The model a chat model node is set to: its Model parameter as saved (an expression as such). */
function modelOf(parameters: IDataObject | undefined): string {
	const model = parameters?.model ?? parameters?.modelName;
	const value = model && typeof model === 'object' ? (model as IDataObject).value : model;
	return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** The names an agent can call a tool node by: its node name, or a name older tools set. */
function toolNamesOf(node: NodeTypeAndVersion): string[] {
	const { name, toolName } = node.parameters ?? {};
	const set = [name, toolName].filter((n): n is string => typeof n === 'string' && n !== '');
	return [nodeNameToToolName(node.name), ...set, ...set.map(nodeNameToToolName)];
}

/**
 * The tools of every AI Agent before this node, by the type of each connected tool node (through
 * n8n's human review of tool calls too, whose gated tools keep their names). An agent's steps
 * record only the tool's name, so a name counts as a Stripe Guard tool's only when no tool node
 * of another type has it too: a name is never trusted for itself.
 */
export function stripeGuardToolNames(
	fn: Pick<IExecuteFunctions, 'getNode' | 'getParentNodes'>,
): AgentTools {
	const stripeGuard = new Set<string>();
	const other = new Map<string, string>();
	const agents = new Map<string, AgentOfTool>();
	const connected = (name: string, connectionType: 'ai_tool' | 'ai_languageModel') =>
		fn.getParentNodes(name, { connectionType, depth: 1, includeNodeParameters: true });
	const toolsOf = (name: string) => connected(name, NodeConnectionTypes.AiTool);
	for (const parent of fn.getParentNodes(fn.getNode().name)) {
		const [model] = connected(parent.name, NodeConnectionTypes.AiLanguageModel);
		for (const node of toolsOf(parent.name)) {
			const tools = node.type.endsWith('HitlTool') ? toolsOf(node.name) : [node];
			for (const tool of tools) {
				if (/(^|\.)stripeGuardTool$/.test(tool.type)) {
					const name = nodeNameToToolName(tool.name);
					stripeGuard.add(name);
					// Two agents with a tool of one name: the audit names both.
					const known = agents.get(name);
					const agentNode = known ? `${known.agentNode}, ${parent.name}` : parent.name;
					agents.set(name, {
						agentNode,
						chatModelNode: model?.name ?? '',
						chatModel: modelOf(model?.parameters),
					});
				} else for (const name of toolNamesOf(tool)) other.set(name, tool.name);
			}
		}
	}
	const shared = new Set([...other.keys()].filter((name) => stripeGuard.has(name)));
	for (const name of shared) stripeGuard.delete(name);
	return { stripeGuard, other, shared, agents };
}

/**
 * Verifies every proposal. `problems` (an input item that is not a valid proposal) block the whole
 * batch: the workflow sends something it should not. From an agent's steps, what cannot be
 * accepted is `refused` instead: listed to the approver, never executed, never blocking.
 * A proposal that appears twice counts once.
 */
export function checkBatch(
	items: INodeExecutionData[],
	apiKey: string,
	mode: StripeMode,
	stripeGuardTools: AgentTools,
	now = Date.now(),
) {
	const entries: BatchEntry[] = [];
	const problems: BatchProblem[] = [];
	const refused: Refused[] = [];
	const seen = new Set<string>();
	items.forEach((item, itemIndex) => {
		const fromAgent = Array.isArray(item.json.intermediateSteps);
		const candidates: Candidate[] = fromAgent
			? proposalsInAgentSteps(
					item.json.intermediateSteps as unknown[],
					stripeGuardTools,
					itemIndex,
					refused,
				)
			: [{ value: item.json }];
		for (const { value, agent } of candidates) {
			const check = verifyProposal(value, apiKey, EXECUTABLE_WRITES, now);
			let reason: string | undefined;
			if (!check.ok) reason = check.reason;
			else if (check.proposal.mode !== mode)
				reason =
					`Proposal ${check.proposal.proposalId} is for ${check.proposal.mode} mode ` +
					`but the credential is for ${mode} mode.`;
			if (reason === undefined && check.ok) {
				if (seen.has(check.proposal.proposalId)) continue;
				seen.add(check.proposal.proposalId);
				entries.push({ proposal: check.proposal, itemIndex, ...(agent ? { agent } : {}) });
			} else if (fromAgent) {
				refused.push({ itemIndex, reason: reason! });
			} else {
				const expired =
					!check.ok && check.problem === 'expired'
						? { proposal: value as unknown as Proposal, itemIndex }
						: undefined;
				problems.push({ itemIndex, reason: reason!, expired, claimed: value });
			}
		}
	});
	return { entries, problems, refused };
}

/** Totals per currency as a person reads them: "€159.00 + $5.00" (money.ts counts them). */
export const formatTotals = (totals: Record<string, number>) =>
	Object.entries(totals)
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([currency, amount]) => formatAmount(amount, currency))
		.join(' + ');
