/** Price writes: create, update. A price states what something costs; it moves no money itself. */
import { formatAmount } from '../../shared/amounts';
import { idField } from '../framework/fields';
import { defineWrite, type WriteInput } from './define';
import { booleanField, fieldCollection, metadataField, textField } from './fields';
import {
	changes,
	check,
	choice,
	id,
	isUnset,
	optional,
	post,
	PROBE_ID,
	someChange,
	wholeNumber,
} from './inputs';
import { amountProblem, currencyProblem, textProblem } from './validation';

/** Prices are "plan" in Stripe's permissions. */
const permission = 'rak_plan_write';
const probe = `/v1/prices/price_${PROBE_ID}`;
const labels = { lookup_key: 'Lookup key', nickname: 'Nickname' };

/**
 * The longest interval Stripe bills at, per unit: three years, "3 years, 36 months, or 156 weeks"
 * (docs.stripe.com/api/prices/create#create_price-recurring-interval_count), and 1095 days.
 */
const LONGEST_INTERVAL = { day: 1095, week: 156, month: 36, year: 3 };
type Interval = keyof typeof LONGEST_INTERVAL;
const INTERVALS = Object.keys(LONGEST_INTERVAL) as Interval[];
/** Stripe's maxLength for a price's nickname; metadata within Stripe's limits. */
const OPTIONAL = { nickname: 5000, metadata: 'metadata' } as const;
/** Stripe's maxLength for a lookup key ("This may be up to 200 characters"). */
const LOOKUP_KEY_LENGTH = 200;

/** The lookup key, if set: text Stripe takes, sent as `lookup_key`. */
function lookupKey(input: WriteInput): Record<string, unknown> {
	const value = input.lookupKey;
	if (isUnset(value)) return {};
	check(textProblem(value, 'Lookup key', LOOKUP_KEY_LENGTH));
	return { lookup_key: value };
}

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
	action: 'Create a price',
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
			...optional(input, OPTIONAL),
			...lookupKey(input),
		};
		let every = '';
		const interval = choice(input, 'interval', 'Interval', INTERVALS, 'day, week, month or year');
		if (interval) {
			const count = wholeNumber(input, 'intervalCount', `Interval count (${interval}s)`, {
				min: 1,
				max: LONGEST_INTERVAL[interval],
				fallback: 1,
			});
			params.recurring = { interval, interval_count: count };
			every = count === 1 ? ` per ${interval}` : ` every ${count} ${interval}s`;
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
	action: 'Update a price',
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
		const params = { ...optional(input, { active: 'boolean', ...OPTIONAL }), ...lookupKey(input) };
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
