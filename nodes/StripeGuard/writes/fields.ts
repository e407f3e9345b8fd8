/** Editor fields several writes share: a metadata or an update field reads the same everywhere. */
import type { INodeProperties } from 'n8n-workflow';

/** A JSON field for Stripe metadata; the Propose operation parses it. */
export const metadataField: INodeProperties = {
	displayName: 'Metadata (JSON)',
	name: 'metadata',
	type: 'json',
	default: '{}',
	description:
		'Key-value pairs stored on the Stripe object: ' +
		'up to 50 keys of up to 40 characters, values up to 500 characters',
};

/**
 * Optional fields of a create ("Additional Fields") or the fields an update changes
 * ("Update Fields"); the Propose operation reads their options as top-level fields.
 */
export const fieldCollection = (
	name: 'additionalFields' | 'updateFields',
	options: INodeProperties[],
): INodeProperties => ({
	displayName: name === 'additionalFields' ? 'Additional Fields' : 'Update Fields',
	name,
	type: 'collection',
	placeholder: name === 'additionalFields' ? 'Add Field' : 'Add Field to Change',
	default: {},
	options,
});

export const textField = (
	name: string,
	displayName: string,
	description: string,
	extra: Partial<INodeProperties> = {},
): INodeProperties => ({
	displayName,
	name,
	type: 'string',
	default: '',
	description,
	...extra,
});

export const booleanField = (
	name: string,
	displayName: string,
	description: string,
): INodeProperties => ({
	displayName,
	name,
	type: 'boolean',
	default: false,
	description,
});

/** The values a dropdown offers, apart from its empty one: the list a builder accepts. */
export const optionValues = (property: INodeProperties): string[] =>
	(property.options ?? [])
		.map((o) => String((o as { value?: unknown }).value ?? ''))
		.filter((v) => v !== '');
