/** Product writes: create, update. They move no money (prices say what a product costs). */
import { idField } from '../framework/fields';
import { defineWrite } from './define';
import { booleanField, fieldCollection, metadataField, textField } from './fields';
import { changes, id, optional, post, PROBE_ID, requireText, someChange } from './inputs';

const probe = `/v1/products/prod_${PROBE_ID}`;
/** Stripe's maxLength for a product's name and description. */
const NAME_LENGTH = 5000;
const OPTIONAL = { description: 40000, active: 'boolean', metadata: 'metadata' } as const;
const fields = [
	textField('description', 'Description', 'Shown to customers on checkout pages and invoices'),
	booleanField('active', 'Active', 'Whether the product can be bought'),
	metadataField,
];

export const productCreate = defineWrite({
	resource: 'product',
	operation: 'create',
	name: 'Create',
	action: 'Create a product',
	description: 'Propose a new product; add prices to it with Price → Create.',
	permission: 'rak_product_write',
	properties: [
		textField('name', 'Name', 'The name customers see', { required: true }),
		fieldCollection('additionalFields', fields),
	],
	build(input) {
		const name = requireText(input, 'name', 'Product name', NAME_LENGTH);
		const params = { name, ...optional(input, OPTIONAL) };
		return { request: post('/v1/products', params), summary: 'Create a product' };
	},
	review: { labels: {} },
	money: { kind: 'none' },
	probe,
	example: { input: { name: 'Pro plan', active: true }, context: {} },
});

export const productUpdate = defineWrite({
	resource: 'product',
	operation: 'update',
	name: 'Update',
	action: 'Update a product',
	description: "Propose changes to a product's name, description, active flag or metadata.",
	permission: 'rak_product_write',
	properties: [
		idField('productId', 'product', 'prod_'),
		fieldCollection('updateFields', [
			textField('name', 'Name', 'The name customers see'),
			...fields,
		]),
	],
	build(input) {
		const product = id(input, 'productId', 'product', 'prod_');
		const params = optional(input, { name: NAME_LENGTH, ...OPTIONAL });
		someChange(params);
		return {
			request: post(`/v1/products/${product}`, params),
			summary: `Update product ${product}: ${changes(params)}`,
		};
	},
	review: { labels: {} },
	money: { kind: 'none' },
	probe,
	example: { input: { productId: 'prod_Example1', active: false }, context: {} },
});

export const productWrites = [productCreate, productUpdate] as const;
