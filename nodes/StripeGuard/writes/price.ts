/** Price writes: create, update. A price states what something costs; it moves no money itself. */
import { formatAmount } from '../../shared/amounts';
import { idField } from '../framework/fields';
import { defineWrite, WriteInputError } from './define';
import { booleanField, fieldCollection, metadataField, textField } from './fields';
import { changes, check, id, optional, post, PROBE_ID, someChange } from './inputs';
import { amountProblem, asText, currencyProblem } from './validation';

/** Prices are "plan" in Stripe's permissions. */
const permission = 'rak_plan_write';
const probe = `/v1/prices/price_${PROBE_ID}`;
const labels = { lookup_key: 'Lookup key', nickname: 'Nickname' };

const lookupKeyField = textField(
	'lookupKey',
	'Lookup Key',
	'A stable name to find the price by, e.g. pro_monthly',
);
const nicknameField = textField('nickname', 'Nickname', 'An internal name, not shown to customers');

export const priceCreate = defineWrite({
	resource: 'price',
	operation: 'create',
	name: 'Create',
	action: 'Propose creating a price',
	description:
		'Propose a one-time or recurring price for a product. ' +
		'Amounts are in the smallest unit: 1200 is $12.00 but ¥1,200.',
	permission,
	properties: [
		idField('productId', 'product', 'prod_'),
		{
			displayName: 'Currency Name or ID',
			name: 'currency',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getCurrencies' },
			required: true,
			default: '',
			// One literal ending in n8n's standard sentence, as its lint wants a dropdown's
			// description: a backslash at a line's end continues it and adds nothing.
			description:
				'The currencies your account can charge in, its default first; an ID here is a \
three-letter ISO code such as usd. Choose from the list, or specify an ID using an \
<a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		},
		{
			displayName: 'Unit Amount',
			name: 'unitAmount',
			type: 'number',
			required: true,
			default: 0,
			description:
				"Price in the currency's smallest unit (cents for USD, yen for JPY): 1200 is $12.00",
		},
		fieldCollection('additionalFields', [
			{
				displayName: 'Billing Interval',
				name: 'interval',
				type: 'options',
				options: [
					{ name: 'Day', value: 'day' },
					{ name: 'Month', value: 'month' },
					{ name: 'One-Time (Not Recurring)', value: '' },
					{ name: 'Week', value: 'week' },
					{ name: 'Year', value: 'year' },
				],
				default: 'month',
				description: 'How often a subscription with this price bills',
			},
			{
				displayName: 'Interval Count',
				name: 'intervalCount',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 1,
				description: 'Bill every this many intervals, e.g. 3 with Month for quarterly',
			},
			lookupKeyField,
			metadataField,
			nicknameField,
		]),
	],
	build(input) {
		const product = id(input, 'productId', 'product', 'prod_');
		check(currencyProblem(input.currency));
		check(amountProblem(input.unitAmount, 'Unit amount'));
		const currency = String(input.currency).toLowerCase();
		const unitAmount = input.unitAmount as number;
		const params: Record<string, unknown> = {
			product,
			currency,
			unit_amount: unitAmount,
			...optional(input, ['nickname', 'metadata']),
		};
		if (input.lookupKey) params.lookup_key = input.lookupKey;
		let every = '';
		if (input.interval) {
			if (!['day', 'week', 'month', 'year'].includes(asText(input.interval)))
				throw new WriteInputError('Interval must be day, week, month or year');
			const count = input.intervalCount === undefined ? 1 : Number(input.intervalCount);
			if (!Number.isInteger(count) || count < 1)
				throw new WriteInputError('Interval count must be a whole number of at least 1');
			params.recurring = { interval: input.interval, interval_count: count };
			every =
				count === 1
					? ` per ${asText(input.interval)}`
					: ` every ${count} ${asText(input.interval)}s`;
		}
		return {
			request: post('/v1/prices', params),
			summary: `Create price ${formatAmount(unitAmount, currency)}${every} for product ${product}`,
		};
	},
	review: {
		labels: {
			...labels,
			unit_amount: 'Unit amount',
			'recurring.interval': 'Billing interval',
			'recurring.interval_count': 'Intervals per bill',
		},
		amountParams: ['unit_amount'],
	},
	money: { kind: 'none' },
	probe,
	example: {
		input: { productId: 'prod_Example1', currency: 'usd', unitAmount: 4900, interval: 'month' },
		context: {},
	},
});

export const priceUpdate = defineWrite({
	resource: 'price',
	operation: 'update',
	name: 'Update',
	action: 'Propose updating a price',
	description:
		"Propose changes to a price's active flag, nickname, lookup key or metadata " +
		'(Stripe does not allow changing its amount).',
	permission,
	properties: [
		idField('priceId', 'price', 'price_'),
		fieldCollection('updateFields', [
			booleanField('active', 'Active', 'Whether new purchases can use the price'),
			lookupKeyField,
			metadataField,
			nicknameField,
		]),
	],
	build(input) {
		const price = id(input, 'priceId', 'price', 'price_');
		const params = optional(input, ['active', 'nickname', 'metadata']);
		if (input.lookupKey) params.lookup_key = input.lookupKey;
		someChange(params);
		return {
			request: post(`/v1/prices/${price}`, params),
			summary: `Update price ${price}: ${changes(params)}`,
		};
	},
	review: { labels },
	money: { kind: 'none' },
	probe,
	example: { input: { priceId: 'price_Example1', nickname: 'Pro monthly' }, context: {} },
});

export const priceWrites = [priceCreate, priceUpdate] as const;
