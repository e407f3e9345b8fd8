/**
 * The editor's look-ups (From List of the resource locators, the loaded dropdowns) run as n8n's
 * server runs them: the node's own methods called on n8n-core's LoadOptionsContext, against the
 * emulator over the transport.
 */
import type { INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';
import Stripe from 'stripe';

import { searchMethodOf } from '../../nodes/StripeGuard/framework/locator';
import { FILTERED_PAGES } from '../../nodes/StripeGuard/methods/listSearch';
import { querySpecs } from '../../nodes/StripeGuard/resources';
import { StripeGuard } from '../../nodes/StripeGuard/StripeGuard.node';
import { StripeGuardTrigger } from '../../nodes/StripeGuardTrigger/StripeGuardTrigger.node';
import { checkObject } from '../emulator/contract';
import { useEmulator } from './emulator-context';
import { loadOptionsContext, type TestCredential } from './harness';

const emulator = useEmulator();
const node = new StripeGuard();

beforeEach(() => {
	emulator().reset();
	emulator().takeViolations();
});
afterEach(() => {
	// Every request the look-ups sent fits Stripe's published contract.
	expect(emulator().takeViolations()).toEqual([]);
});

const readKey = (): TestCredential => ({ apiKey: emulator().keys.testRead });

async function listSearch(
	method: string,
	filter?: string,
	paginationToken?: string,
	credential = readKey(),
): Promise<INodeListSearchResult> {
	const fn = (
		node.methods.listSearch as Record<
			string,
			(this: unknown, f?: string, t?: string) => Promise<INodeListSearchResult>
		>
	)[method];
	return await fn.call(loadOptionsContext(credential), filter, paginationToken);
}

async function loadOptions(
	method: string,
	credential = readKey(),
): Promise<INodePropertyOptions[]> {
	const fn = (
		node.methods.loadOptions as Record<string, (this: unknown) => Promise<INodePropertyOptions[]>>
	)[method];
	return await fn.call(loadOptionsContext(credential));
}

const paths = () => emulator().requests.map((r) => r.path);

describe('From List: what a person recognises', () => {
	test('customers: name — email (cus_…), with a link to the test-mode Dashboard', async () => {
		const ada = emulator().create<{ id: string }>('customer', 'test', {
			name: 'Ada Lovelace',
			email: 'ada@example.com',
		});
		const { results, paginationToken } = await listSearch('searchCustomers');
		expect(results).toContainEqual({
			name: `Ada Lovelace — ada@example.com (${ada.id})`,
			value: ada.id,
			url: `https://dashboard.stripe.com/test/customers/${ada.id}`,
		});
		expect(paginationToken).toBeUndefined();
	});

	test('customers: text searches names and emails with Stripe Search', async () => {
		const ada = emulator().create<{ id: string }>('customer', 'test', {
			name: 'Ada Lovelace',
			email: 'ada@example.com',
		});
		emulator().create('customer', 'test', { name: 'Grace Hopper', email: 'grace@example.com' });
		emulator().clearRequests();
		const { results } = await listSearch('searchCustomers', 'Lovelace');
		expect(results.map((r) => r.value)).toEqual([ada.id]);
		expect(paths()).toEqual(['/v1/customers/search']);
		expect((await listSearch('searchCustomers', 'grace@exa')).results.map((r) => r.name)).toEqual([
			expect.stringMatching(/^Grace Hopper — grace@example\.com \(cus_/),
		]);
	});

	test('prices: product — amount / interval (price_…), found by the product name', async () => {
		const product = emulator().create<{ id: string }>('product', 'test', { name: 'Pro' });
		const monthly = emulator().create<{ id: string }>('price', 'test', {
			product: product.id,
			unit_amount: 4900,
			currency: 'usd',
			type: 'recurring',
			recurring: {
				interval: 'month',
				interval_count: 1,
				usage_type: 'licensed',
				meter: null,
				trial_period_days: null,
			},
		});
		const yen = emulator().create<{ id: string }>('price', 'test', {
			product: product.id,
			unit_amount: 1200,
			currency: 'jpy',
			type: 'one_time',
			recurring: null,
		});
		const all = await listSearch('searchPrices');
		expect(all.results.map((r) => r.name)).toEqual(
			expect.arrayContaining([
				`Pro — $49.00 / month (${monthly.id})`,
				`Pro — ¥1,200 one-time (${yen.id})`,
			]),
		);
		const found = await listSearch('searchPrices', 'Pro');
		expect(found.results.map((r) => r.value).sort()).toEqual([monthly.id, yen.id].sort());
		expect(paths()).toContain('/v1/prices/search');
	});

	test('subscriptions: customer, plan and status', async () => {
		const ada = emulator().create<{ id: string }>('customer', 'test', {
			name: 'Ada Lovelace',
			email: 'ada@example.com',
		});
		const sub = emulator().create<{ id: string }>('subscription', 'test', {
			customer: ada.id,
			status: 'past_due',
		});
		const { results } = await listSearch('searchSubscriptions');
		expect(results).toHaveLength(1);
		expect(results[0].value).toBe(sub.id);
		expect(results[0].name).toMatch(
			new RegExp(
				`^Ada Lovelace — ada@example\\.com — ` +
					`.*\\$\\d+\\.\\d\\d / month — past_due \\(${sub.id}\\)$`,
			),
		);
		// A status word searches by status.
		expect((await listSearch('searchSubscriptions', 'active')).results).toEqual([]);
		expect(
			(await listSearch('searchSubscriptions', 'past_due')).results.map((r) => r.value),
		).toEqual([sub.id]);
	});

	test('invoices: number, amount and status', async () => {
		const invoice = emulator().create<{ id: string; number: string }>('invoice', 'test', {
			number: 'ABCD-0042',
			total: 4900,
			currency: 'usd',
			status: 'open',
		});
		const { results } = await listSearch('searchInvoices');
		expect(results[0]).toMatchObject({
			value: invoice.id,
			name: expect.stringMatching(
				new RegExp(`^ABCD-0042 — \\$49\\.00 — open.* \\(${invoice.id}\\)$`),
			),
		});
		expect((await listSearch('searchInvoices', 'ABCD-0042')).results.map((r) => r.value)).toEqual([
			invoice.id,
		]);
		expect((await listSearch('searchInvoices', 'open')).results.map((r) => r.value)).toEqual([
			invoice.id,
		]);
		expect((await listSearch('searchInvoices', 'paid')).results).toEqual([]);
		const ada = emulator().create<{ id: string }>('customer', 'test', {
			name: 'Ada Lovelace',
			email: 'ada@example.com',
		});
		const adas = emulator().create<{ id: string }>('invoice', 'test', {
			customer: ada.id,
			number: 'ABCD-0043',
			total: 100,
			currency: 'usd',
			status: 'paid',
		});
		expect((await listSearch('searchInvoices', 'Lovelace')).results.map((r) => r.value)).toEqual([
			adas.id,
		]);
	});

	test('payment intents and charges: by status, or by the customer’s name', async () => {
		const e = emulator();
		const ada = e.create<{ id: string }>('customer', 'test', {
			name: 'Ada Lovelace',
			email: 'ada@example.com',
		});
		const grace = e.create<{ id: string }>('customer', 'test', {
			name: 'Grace Hopper',
			email: 'grace@example.com',
		});
		const adaPays = e.create<{ id: string }>('payment_intent', 'test', {
			customer: ada.id,
			amount: 4900,
			currency: 'usd',
			status: 'succeeded',
		});
		e.create('payment_intent', 'test', {
			customer: grace.id,
			amount: 100,
			currency: 'usd',
			status: 'canceled',
		});
		const found = await listSearch('searchPaymentIntents', 'Lovelace');
		expect(found.results).toEqual([
			expect.objectContaining({
				value: adaPays.id,
				name: expect.stringMatching(/^\$49\.00 — succeeded — Ada Lovelace — ada@example\.com/),
			}),
		]);
		expect(
			(await listSearch('searchPaymentIntents', 'canceled')).results.map((r) => r.value),
		).not.toContain(adaPays.id);
		const failed = e.create<{ id: string }>('charge', 'test', {
			customer: grace.id,
			amount: 700,
			currency: 'usd',
			status: 'failed',
		});
		e.create('charge', 'test', {
			customer: ada.id,
			amount: 800,
			currency: 'usd',
			status: 'succeeded',
		});
		expect((await listSearch('searchCharges', 'failed')).results.map((r) => r.value)).toEqual([
			failed.id,
		]);
		expect((await listSearch('searchCharges', 'Grace')).results.map((r) => r.value)).toEqual([
			failed.id,
		]);
		expect(paths()).toEqual(
			expect.arrayContaining([
				'/v1/payment_intents/search',
				'/v1/charges/search',
				'/v1/customers/search',
			]),
		);
	});

	test(
		'an ID typed into the search is looked up directly; ' + 'an unknown one finds nothing',
		async () => {
			const ada = emulator().create<{ id: string }>('customer', 'test', {
				name: 'Ada Lovelace',
				email: 'ada@example.com',
			});
			expect((await listSearch('searchCustomers', ada.id)).results.map((r) => r.value)).toEqual([
				ada.id,
			]);
			expect(await listSearch('searchCustomers', 'cus_DoesNotExist1')).toEqual({ results: [] });
		},
	);

	test('resources without Stripe Search filter the list by what is shown', async () => {
		const e = emulator();
		e.create('payout', 'test', { amount: 1000, currency: 'usd', status: 'paid' });
		const failed = e.create<{ id: string }>('payout', 'test', {
			amount: 2000,
			currency: 'usd',
			status: 'failed',
		});
		const { results } = await listSearch('searchPayouts', 'failed');
		expect(results.map((r) => r.value)).toEqual([failed.id]);
		expect(results[0].name).toMatch(/^\$20\.00 — failed/);
		expect(paths().every((p) => p === '/v1/payouts')).toBe(true);
	});
});

describe('From List of coupons: Stripe has no coupon search', () => {
	const coupons = () => {
		const e = emulator();
		e.create('coupon', 'test', {
			id: 'LAUNCH20',
			name: 'Launch 20 %',
			percent_off: 20,
			duration: 'forever',
		});
		e.create('coupon', 'test', {
			id: 'SORRY10',
			name: '$10 off the next invoice',
			amount_off: 1000,
			currency: 'usd',
			duration: 'once',
		});
		e.create('coupon', 'test', {
			id: 'WELCOME50',
			name: 'Welcome',
			percent_off: 50,
			duration: 'repeating',
			duration_in_months: 3,
			valid: false,
		});
	};

	test('name and terms (code), newest first, with a link to the Dashboard', async () => {
		coupons();
		const { results, paginationToken } = await listSearch('searchCoupons');
		expect(results).toEqual([
			{
				name: 'Welcome — 50% off for 3 months — no longer redeemable (WELCOME50)',
				value: 'WELCOME50',
				url: 'https://dashboard.stripe.com/test/coupons/WELCOME50',
			},
			{
				name: '$10 off the next invoice — $10.00 off once (SORRY10)',
				value: 'SORRY10',
				url: 'https://dashboard.stripe.com/test/coupons/SORRY10',
			},
			{
				name: 'Launch 20 % — 20% off forever (LAUNCH20)',
				value: 'LAUNCH20',
				url: 'https://dashboard.stripe.com/test/coupons/LAUNCH20',
			},
		]);
		expect(paginationToken).toBeUndefined();
	});

	test('text finds coupons by name or code, in the list; a code is also tried as one', async () => {
		coupons();
		emulator().clearRequests();
		const byName = await listSearch('searchCoupons', 'launch');
		expect(byName.results.map((r) => r.value)).toEqual(['LAUNCH20']);
		// The text is tried as a code first (none is "launch"), then the list is filtered.
		expect(paths()).toEqual(['/v1/coupons/launch', '/v1/coupons']);
		expect((await listSearch('searchCoupons', 'sorry')).results.map((r) => r.value)).toEqual([
			'SORRY10',
		]);
		expect((await listSearch('searchCoupons', 'off')).results.map((r) => r.value)).toEqual([
			'WELCOME50',
			'SORRY10',
			'LAUNCH20',
		]);
		// The exact code comes first, once.
		expect((await listSearch('searchCoupons', 'SORRY10')).results.map((r) => r.value)).toEqual([
			'SORRY10',
		]);
	});

	test('the filtered list reads boundedly many pages; an exact code is found beyond', async () => {
		const e = emulator();
		const old = Math.floor(Date.now() / 1000) - 86_400;
		e.create('coupon', 'test', { id: 'ANCIENT5', name: 'Old', percent_off: 5, created: old });
		e.createMany('coupon', 'test', 100 * FILTERED_PAGES + 20, (i) => ({
			name: `Batch ${i}`,
			percent_off: 10,
		}));
		e.clearRequests();
		const exact = await listSearch('searchCoupons', 'ANCIENT5');
		expect(exact.results.map((r) => r.value)).toEqual(['ANCIENT5']);
		expect(paths().filter((p) => p === '/v1/coupons')).toHaveLength(FILTERED_PAGES);
		// Only part of the code: not in the pages read, and more to read with the token.
		const part = await listSearch('searchCoupons', 'ANCIENT');
		expect(part.results).toEqual([]);
		expect(part.paginationToken).toEqual(expect.any(String));
		const next = await listSearch('searchCoupons', 'ANCIENT', part.paginationToken);
		expect(next.results.map((r) => r.value)).toEqual(['ANCIENT5']);
	});

	test('a key without Coupons: Read gets it named', async () => {
		const key = emulator().addKey({ mode: 'test', permissions: { customer: 'read' } });
		await expect(
			listSearch('searchCoupons', undefined, undefined, { apiKey: key }),
		).rejects.toThrow('This key is missing Coupons: Read (rak_coupon_read)');
	});
});

describe('From List: paging and empty results', () => {
	test('a list pages with paginationToken: 25, then the rest, nothing twice', async () => {
		const ids = Array.from(
			{ length: 30 },
			(_, i) =>
				emulator().create<{ id: string }>('customer', 'test', {
					name: `Customer ${i}`,
					email: `c${i}@example.com`,
				}).id,
		);
		const first = await listSearch('searchCustomers');
		expect(first.results).toHaveLength(25);
		expect(first.paginationToken).toEqual(expect.any(String));
		const second = await listSearch('searchCustomers', undefined, first.paginationToken);
		expect(second.results).toHaveLength(5);
		expect(second.paginationToken).toBeUndefined();
		expect([...first.results, ...second.results].map((r) => r.value).sort()).toEqual(
			[...ids].sort(),
		);
	});

	test('a search pages with Stripe’s next_page token', async () => {
		for (let i = 0; i < 30; i++)
			emulator().create('customer', 'test', { name: `Ada ${i}`, email: `ada${i}@example.com` });
		emulator().create('customer', 'test', { name: 'Grace Hopper', email: 'grace@example.com' });
		const first = await listSearch('searchCustomers', 'Ada');
		expect(first.results).toHaveLength(25);
		expect(first.paginationToken).toEqual(expect.any(String));
		const second = await listSearch('searchCustomers', 'Ada', first.paginationToken);
		expect(second.results).toHaveLength(5);
		expect(second.paginationToken).toBeUndefined();
		expect(new Set([...first.results, ...second.results].map((r) => r.value)).size).toBe(30);
	});

	test.each(querySpecs.map((spec) => searchMethodOf(spec.label)))(
		'%s: an empty account, and a search that matches nothing, give no results',
		async (method) => {
			expect(await listSearch(method)).toEqual({ results: [] });
			expect((await listSearch(method, 'zzz-nothing-matches')).results).toEqual([]);
		},
	);

	test('live mode links to the live Dashboard', async () => {
		const c = emulator().create<{ id: string }>('customer', 'live', {
			name: 'Live One',
			email: 'live@example.com',
		});
		const { results } = await listSearch('searchCustomers', undefined, undefined, {
			apiKey: emulator().keys.liveRead,
		});
		expect(results).toEqual([
			{
				name: `Live One — live@example.com (${c.id})`,
				value: c.id,
				url: `https://dashboard.stripe.com/customers/${c.id}`,
			},
		]);
	});
});

describe('a key without the read permission', () => {
	test('From List names the missing permission', async () => {
		const key = emulator().addKey({ mode: 'test', permissions: { product: 'read' } });
		await expect(
			listSearch('searchCustomers', undefined, undefined, { apiKey: key }),
		).rejects.toThrow('This key is missing Customers: Read (rak_customer_read)');
		await expect(
			listSearch('searchSubscriptions', 'Ada', undefined, { apiKey: key }),
		).rejects.toThrow('This key is missing Subscriptions: Read (rak_subscription_read)');
	});

	test('the price dropdown names the missing permission', async () => {
		const key = emulator().addKey({ mode: 'test', permissions: { customer: 'read' } });
		await expect(loadOptions('getPrices', { apiKey: key })).rejects.toThrow(
			/This key is missing (one of )?Prices: Read \(rak_plan_read\)/,
		);
	});
});

describe('loaded options', () => {
	test('the trigger’s event types each say what they mean', () => {
		const events = new StripeGuardTrigger().description.properties.find(
			(p) => p.name === 'events',
		)!;
		const options = events.options as INodePropertyOptions[];
		expect(options.length).toBeGreaterThan(40);
		for (const o of options)
			expect({
				type: o.value,
				description: typeof o.description === 'string' && o.description.length > 10,
			}).toEqual({ type: o.value, description: true });
		expect(options.find((o) => o.value === 'invoice.payment_failed')?.description).toBe(
			'A payment attempt on an invoice failed',
		);
	});

	test('prices for checkout line items: active ones, as product — amount / interval', async () => {
		const product = emulator().create<{ id: string }>('product', 'test', { name: 'Pro' });
		const active = emulator().create<{ id: string }>('price', 'test', {
			product: product.id,
			unit_amount: 4900,
			currency: 'usd',
			type: 'recurring',
			recurring: {
				interval: 'month',
				interval_count: 1,
				usage_type: 'licensed',
				meter: null,
				trial_period_days: null,
			},
		});
		emulator().create('price', 'test', {
			product: product.id,
			unit_amount: 100,
			currency: 'usd',
			active: false,
		});
		expect(await loadOptions('getPrices')).toEqual([
			{
				name: `Pro — $49.00 / month (${active.id})`,
				value: active.id,
				description: '$49.00 / month',
			},
		]);
	});

	test('no prices: an empty dropdown', async () => {
		expect(await loadOptions('getPrices')).toEqual([]);
	});

	test("currencies the account supports: its country's, the default first", async () => {
		const options = await loadOptions('getCurrencies');
		expect(options[0]).toEqual({ name: 'USD (account default)', value: 'usd' });
		expect(options.map((o) => o.value)).toEqual(expect.arrayContaining(['eur', 'gbp', 'jpy']));
		expect(new Set(options.map((o) => o.value)).size).toBe(options.length);
		expect(paths()).toEqual(['/v1/account', '/v1/country_specs/US']);
	});

	test('the country spec the emulator serves fits Stripe’s CountrySpec schema', async () => {
		// Read with Stripe's own client, over the same route to api.stripe.com.
		const spec = await new Stripe(emulator().keys.testRead, {
			maxNetworkRetries: 0,
		}).countrySpecs.retrieve('US');
		expect(spec.object).toBe('country_spec');
		expect(checkObject('country_spec', JSON.parse(JSON.stringify(spec)))).toEqual([]);
		expect(spec.supported_payment_currencies).toContain(spec.default_currency);
	});
});
