import type { IDataObject } from 'n8n-workflow';

import { idField } from '../framework/fields';
import { defineReadResource } from '../framework/read-resource';
import {
	booleanField,
	defineWriteOperation,
	fieldCollection,
	metadataField,
	textField,
} from '../framework/write-operation';

const PRODUCT_WRITE = 'Products: Write (rak_product_write)';
const productFields = [
	textField('description', 'Description', 'Shown to customers on checkout pages and invoices'),
	booleanField('active', 'Active', 'Whether the product can be bought'),
	metadataField,
];

const productWrites = [
	defineWriteOperation({
		resource: 'product',
		operation: 'create',
		name: 'Create',
		action: 'Propose creating a product',
		description: 'Propose a new product; add prices to it with Price → Create.',
		permission: PRODUCT_WRITE,
		properties: [
			textField('name', 'Name', 'The name customers see', { required: true }),
			fieldCollection('additionalFields', productFields),
		],
	}),
	defineWriteOperation({
		resource: 'product',
		operation: 'update',
		name: 'Update',
		action: 'Propose updating a product',
		description: "Propose changes to a product's name, description, active flag or metadata.",
		permission: PRODUCT_WRITE,
		properties: [
			idField('productId', 'product', 'prod_'),
			fieldCollection('updateFields', [
				textField('name', 'Name', 'The name customers see'),
				...productFields,
			]),
		],
	}),
];

export const product = defineReadResource(
	{
		value: 'product',
		name: 'Product',
		label: 'product',
		plural: 'products',
		idPrefix: 'prod_',
		permission: 'Products: Read (rak_product_read)',
		api: (stripe) => stripe.products,
		filters: [
			{
				name: 'active',
				displayName: 'Active',
				kind: 'boolean',
				description: 'Only products that are active (on) or archived (off)',
			},
			{
				name: 'shippable',
				displayName: 'Shippable',
				kind: 'boolean',
				description: 'Only products that can be shipped (on) or not (off)',
			},
			{
				name: 'created',
				displayName: 'Created',
				kind: 'dateRange',
				description: 'When the product was created',
			},
		],
		expand: ['default_price'],
		dates: ['created', 'updated'],
		search: {
			fields: "active, name, description, shippable, url, metadata['key']",
			example: "active:'true' AND name~'Pro'",
		},
		simplify: (p: IDataObject) => ({
			id: p.id,
			name: p.name,
			description: p.description,
			active: p.active,
			default_price: p.default_price,
			url: p.url,
			created: p.created,
			updated: p.updated,
			metadata: p.metadata,
		}),
	},
	productWrites,
);
