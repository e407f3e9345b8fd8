/**
 * Stripe Guard's node versions, the n8n way: a saved workflow keeps the version it was made with,
 * a new node gets the latest. Version 2 simplifies by default with ISO dates, gives a
 * refund's Amount a field of its own and makes Max Requests per Second an option. Version 3 moves
 * the rest of the request tuning (Parallel Reading, Request Timeout) and a report's Include Table
 * (off by default) into Options, and names the Query's JSON `queryJson`.
 */
import {
	NodeHelpers,
	type IDisplayOptions,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';

export const NODE_VERSIONS = [1, 2, 3];
export const LATEST_VERSION = 3;

/** Display options of a field only some versions show. */
export const ONLY_V1: IDisplayOptions = { show: { '@version': [1] } };
export const ONLY_V2: IDisplayOptions = { show: { '@version': [2] } };
export const FROM_V2: IDisplayOptions = { show: { '@version': [{ _cnd: { gte: 2 } }] } };
export const UP_TO_V2: IDisplayOptions = { show: { '@version': [1, 2] } };
export const FROM_V3: IDisplayOptions = { show: { '@version': [{ _cnd: { gte: 3 } }] } };

export const nodeVersion = (fn: Pick<IExecuteFunctions, 'getNode'>) => fn.getNode().typeVersion;

/**
 * Whether a field exists in a node version, by its
 * `@version` display option (n8n's own reading of it).
 */
export function inVersion(property: INodeProperties, typeVersion: number): boolean {
	const versions = property.displayOptions?.show?.['@version'];
	if (!versions) return true;
	return NodeHelpers.displayParameter(
		{},
		{ ...property, displayOptions: { show: { '@version': versions } } },
		{ typeVersion },
		null,
	);
}
