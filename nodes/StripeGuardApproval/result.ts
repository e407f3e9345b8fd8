/**
 * The shape of Approved and Failed items by node version. Version 1 (saved workflows) spreads
 * Stripe's object at the top of an Approved item, as it always did. From version 2 an item reads
 * at a glance: first what Stripe returned in the Stripe Guard node's version-2 simplified shape of
 * the write's resource (ISO dates, `_formatted` amounts), then the audit, then the object as
 * Stripe returned it under `stripeObject`. A Failed item starts with why; from version 2 it also
 * carries Stripe's error fields under `stripeError` (null when Stripe did not refuse it).
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { isStripeApiError } from '../shared/transport';
import { simplifyDeep, type ReadResourceSpec } from '../StripeGuard/framework/read-resource';
import { querySpecs } from '../StripeGuard/resources';

export const APPROVAL_VERSIONS = [1, 2];
export const LATEST_APPROVAL_VERSION = 2;

/** Whether the node gives version 2's items (a new node), not version 1's (a saved workflow). */
export const simplifiesResults = (node: Pick<INode, 'typeVersion'>) => node.typeVersion >= 2;

/** Each read resource's declared shape, by the resource value a write names ("refund"). */
const SHAPES = new Map<string, ReadResourceSpec>(querySpecs.map((s) => [s.value, s]));

/**
 * Stripe's object as the Stripe Guard node's version 2 reads its resource with Simplify on (a
 * field Stripe did not send, such as a deleted customer's name, is undefined there too and left
 * out of what n8n stores). Every write names a read resource (a test holds it); an unknown one
 * keeps only the object's ID.
 */
export function simplifiedResult(resource: string, object: IDataObject): IDataObject {
	const shape = SHAPES.get(resource);
	if (!shape) return { id: object.id ?? null };
	return simplifyDeep(shape, object, true);
}

type Audited = { audit: IDataObject; auditRows: IDataObject[] };

/** An Approved item: Stripe's object (`object`, secrets already removed) and its audit. */
export function approvedJson(
	node: Pick<INode, 'typeVersion'>,
	resource: string,
	object: IDataObject,
	audited: Audited,
): IDataObject {
	if (!simplifiesResults(node)) return { ...object, ...audited };
	return { ...simplifiedResult(resource, object), ...audited, stripeObject: object };
}

/** Stripe's own error fields, for routing on `code` (the request ID is in the audit). */
export function stripeErrorOf(error: unknown): IDataObject | null {
	if (!isStripeApiError(error)) return null;
	return {
		type: error.rawType ?? null,
		code: error.code ?? null,
		decline_code: error.declineCode ?? null,
		param: error.param ?? null,
		doc_url: error.docUrl ?? null,
		status: error.statusCode ?? null,
	};
}

/**
 * A Failed item: why first. Version 1 keeps each cause's own fields (a description only where it
 * had one); version 2 gives every cause the same fields, null where they do not apply.
 */
export function failedJson(
	node: Pick<INode, 'typeVersion'>,
	reason: string,
	audited: Audited,
	details: { description?: string | null; error?: unknown } = {},
): IDataObject {
	if (!simplifiesResults(node))
		return {
			error: reason,
			...('description' in details ? { description: details.description ?? null } : {}),
			...audited,
		};
	return {
		error: reason,
		description: details.description ?? null,
		stripeError: stripeErrorOf(details.error),
		...audited,
	};
}
