/**
 * What a new node of a version offers, as n8n's editor works it out (n8n-workflow's own
 * getNodeParameters and displayParameter): the parameters it starts with and the fields shown.
 */
import {
	NodeHelpers,
	type INodeParameters,
	type INodeProperties,
	type INodeTypeDescription,
} from 'n8n-workflow';

export function newNodeAt(
	description: INodeTypeDescription,
	typeVersion: number,
	parameters: INodeParameters = {},
	/** The type the editor sees, if not the description (a node used as a tool). */
	type: INodeTypeDescription = description,
): { defaults: INodeParameters; shown: INodeProperties[] } {
	const node = { typeVersion };
	const defaults =
		NodeHelpers.getNodeParameters(description.properties, parameters, true, false, node, type) ??
		{};
	const shown = description.properties.filter((p) =>
		NodeHelpers.displayParameter(defaults, p, node, type),
	);
	return { defaults, shown };
}
