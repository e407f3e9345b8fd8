/**
 * Believable demo data for `npm start` and the tests that want a populated account: a small SaaS
 * with three plans, customers over the last four months, subscriptions in every status, invoices,
 * payments (some failed, some refunded, one disputed), fees, payouts and the events behind them.
 * Deterministic: the same clock gives the same data.
 */
import { subscriptionItem, subscriptionParent } from './catalog';
import { template } from './fixtures';
import { prng, type Store } from './store';
import type { Mode, StripeObject } from './types';

const FIRST = [
	'Ada',
	'Grace',
	'Alan',
	'Katherine',
	'Linus',
	'Margaret',
	'Tim',
	'Barbara',
	'Dennis',
	'Frances',
	'Ken',
	'Radia',
	'Guido',
	'Hedy',
	'John',
	'Sophie',
	'Edsger',
	'Shafi',
	'Donald',
	'Anita',
];
const LAST = [
	'Lovelace',
	'Hopper',
	'Turing',
	'Johnson',
	'Torvalds',
	'Hamilton',
	'Berners-Lee',
	'Liskov',
	'Ritchie',
	'Allen',
	'Thompson',
	'Perlman',
	'van Rossum',
	'Lamarr',
	'McCarthy',
	'Wilson',
	'Dijkstra',
	'Goldwasser',
	'Knuth',
	'Borg',
];
const DECLINES = [
	'insufficient_funds',
	'card_declined',
	'expired_card',
	'incorrect_cvc',
	'do_not_honor',
];
const DAY = 86_400;

export function seedDemo(store: Store, mode: Mode = 'test', scale = 1): void {
	const random = prng(mode === 'test' ? 2026 : 1999);
	const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
	const now = store.now();
	const at = (daysAgo: number) => now - Math.floor(daysAgo * DAY);

	// Catalogue: three plans, monthly and yearly, in usd and eur, and a zero-decimal yen plan.
	const products = [
		store.create('product', mode, {
			name: 'Starter',
			description: 'For individuals',
			created: at(200),
			metadata: { tier: 'starter' },
		}),
		store.create('product', mode, {
			name: 'Pro',
			description: 'For growing teams',
			created: at(200),
			metadata: { tier: 'pro' },
		}),
		store.create('product', mode, {
			name: 'Enterprise',
			description: 'For large organisations',
			created: at(199),
			metadata: { tier: 'enterprise' },
		}),
	];
	const price = (
		product: StripeObject,
		unit_amount: number,
		currency: string,
		interval: string,
		nickname: string,
	) =>
		store.create('price', mode, {
			product: product.id,
			unit_amount,
			unit_amount_decimal: String(unit_amount),
			currency,
			nickname,
			lookup_key: nickname.toLowerCase().replace(/\W+/g, '_'),
			created: at(199),
			recurring: {
				interval,
				interval_count: 1,
				meter: null,
				trial_period_days: null,
				usage_type: 'licensed',
			},
		});
	const prices = [
		price(products[0], 1900, 'usd', 'month', 'Starter monthly'),
		price(products[0], 19000, 'usd', 'year', 'Starter yearly'),
		price(products[1], 4900, 'usd', 'month', 'Pro monthly'),
		price(products[1], 4500, 'eur', 'month', 'Pro monthly EUR'),
		price(products[1], 49000, 'usd', 'year', 'Pro yearly'),
		price(products[2], 50000, 'jpy', 'month', 'Enterprise monthly JPY'),
	];
	products.forEach((p, i) => (p.default_price = prices[[0, 2, 5][i]].id));

	const launchCoupon = store.create('coupon', mode, {
		id: 'LAUNCH20',
		name: 'Launch 20 %',
		percent_off: 20,
		duration: 'forever',
		created: at(199),
	});

	const customerCount = Math.round((mode === 'test' ? 40 : 5) * scale);
	const customers: StripeObject[] = [];
	for (let i = 0; i < customerCount; i++) {
		const first = FIRST[i % FIRST.length];
		const last = LAST[(i * 7) % LAST.length];
		const created = at(120 - (i * 118) / customerCount);
		const customer = store.create('customer', mode, {
			name: `${first} ${last}`,
			email: `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '') + `${i}@example.com`,
			phone: `+1555010${String(i).padStart(4, '0')}`,
			created,
			address: {
				city: pick(['Berlin', 'Austin', 'Lyon', 'Osaka', 'Toronto']),
				country: pick(['DE', 'US', 'FR', 'JP', 'CA']),
				line1: `${i + 1} Main Street`,
				line2: null,
				postal_code: '10115',
				state: null,
			},
			metadata: { source: pick(['website', 'sales', 'partner']) },
		});
		store.create('event', mode, {
			type: 'customer.created',
			created,
			data: { object: structuredClone(customer) },
		});
		customers.push(customer);
	}

	const payment = (
		customer: StripeObject,
		amount: number,
		currency: string,
		created: number,
		opts: { failed?: boolean; invoice?: string } = {},
	) => {
		const failed = opts.failed ?? false;
		const decline = failed ? pick(DECLINES) : null;
		const pi = store.create('payment_intent', mode, {
			amount,
			amount_received: failed ? 0 : amount,
			currency,
			customer: customer.id,
			status: failed ? 'requires_payment_method' : 'succeeded',
			created,
			description: opts.invoice ? 'Subscription payment' : 'One-off purchase',
			last_payment_error: failed
				? {
						code: 'card_declined',
						decline_code: decline,
						message: 'Your card was declined.',
						type: 'card_error',
					}
				: null,
		});
		const charge = store.create('charge', mode, {
			amount,
			amount_captured: failed ? 0 : amount,
			currency,
			customer: customer.id,
			payment_intent: pi.id,
			status: failed ? 'failed' : 'succeeded',
			paid: !failed,
			captured: !failed,
			failure_code: failed ? 'card_declined' : null,
			failure_message: failed ? 'Your card was declined.' : null,
			outcome: {
				network_status: failed ? 'declined_by_network' : 'approved_by_network',
				reason: decline,
				risk_level: 'normal',
				seller_message: failed ? 'The bank declined the payment.' : 'Payment complete.',
				type: failed ? 'issuer_declined' : 'authorized',
			},
			billing_details: {
				name: customer.name,
				email: customer.email,
				phone: null,
				address: customer.address,
			},
			receipt_email: customer.email,
			created,
		});
		pi.latest_charge = charge.id;
		// Since API version 2025-03-31 a payment reaches its invoice through an invoice payment.
		if (opts.invoice) {
			store.create('invoice_payment', mode, {
				invoice: opts.invoice,
				amount_requested: amount,
				amount_paid: failed ? null : amount,
				currency,
				created,
				payment: { type: 'payment_intent', payment_intent: pi.id },
				status: failed ? 'open' : 'paid',
				status_transitions: { canceled_at: null, paid_at: failed ? null : created },
			});
		}
		store.create('event', mode, {
			type: failed ? 'payment_intent.payment_failed' : 'payment_intent.succeeded',
			created,
			data: { object: structuredClone(pi) },
		});
		if (failed) return { pi, charge };
		const fee = currency === 'jpy' ? Math.round(amount * 0.036) : Math.round(amount * 0.029) + 30;
		const txn = store.create('balance_transaction', mode, {
			amount,
			fee,
			net: amount - fee,
			currency,
			type: 'charge',
			reporting_category: 'charge',
			source: charge.id,
			created,
			available_on: created + 2 * DAY,
			status: created + 2 * DAY <= now ? 'available' : 'pending',
			fee_details: [
				{ amount: fee, currency, description: 'Stripe processing fees', type: 'stripe_fee' },
			],
			description: `Payment from ${customer.name}`,
		});
		charge.balance_transaction = txn.id;
		return { pi, charge };
	};

	// Subscriptions in every status, each with its invoices and payments.
	const statuses = [
		'active',
		'active',
		'active',
		'active',
		'trialing',
		'past_due',
		'canceled',
		'active',
		'unpaid',
		'active',
	];
	const subs = customers.slice(0, Math.round(customerCount * 0.75));
	subs.forEach((customer, i) => {
		const p = prices[i % prices.length];
		const status = statuses[i % statuses.length];
		const start = customer.created as number;
		const quantity = 1 + (i % 3 === 0 ? 2 : 0);
		// A trial still running (a subscription whose trial is over is no longer trialing): it ends in
		// a week, and the item's current period is the trial.
		const trialEnd = status === 'trialing' ? now + 7 * DAY : null;
		const itemId = store.newId('si_', 14);
		const sub = store.create('subscription', mode, {
			customer: customer.id,
			status,
			created: start,
			start_date: start,
			currency: p.currency,
			trial_start: status === 'trialing' ? start : null,
			trial_end: trialEnd,
			canceled_at: status === 'canceled' ? start + 40 * DAY : null,
			ended_at: status === 'canceled' ? start + 40 * DAY : null,
			metadata: {
				plan: String((products.find((x) => x.id === p.product) as StripeObject).name).toLowerCase(),
			},
			items: { object: 'list', data: [], has_more: false, url: '/v1/subscription_items' },
		});
		sub.items = {
			object: 'list',
			data: [
				subscriptionItem({
					id: itemId,
					subscription: sub.id,
					price: structuredClone(p),
					quantity,
					created: start,
					periodEnd: trialEnd ?? start + 30 * DAY,
				}),
			],
			has_more: false,
			url: `/v1/subscription_items?subscription=${sub.id}`,
		};
		// Every seventh subscription has a 20 % launch discount for ever.
		if (i % 7 === 3) {
			const discount = store.create('discount', mode, {
				source: { coupon: launchCoupon.id, type: 'coupon' },
				customer: customer.id,
				subscription: sub.id,
				start,
			});
			sub.discounts = [discount.id];
		}
		store.create('event', mode, {
			type: 'customer.subscription.created',
			created: start,
			data: { object: structuredClone(sub) },
		});
		if (status === 'canceled')
			store.create('event', mode, {
				type: 'customer.subscription.deleted',
				created: start + 40 * DAY,
				data: { object: structuredClone(sub) },
			});
		if (status === 'trialing') return;
		const amount = Number(p.unit_amount) * quantity;
		for (let month = 0; start + month * 30 * DAY < now && month < 4; month++) {
			const created = start + month * 30 * DAY;
			const lastOne = start + (month + 1) * 30 * DAY >= now;
			const failing = (status === 'past_due' || status === 'unpaid') && lastOne;
			const invoiceStatus = failing ? 'open' : status === 'canceled' && month > 1 ? 'void' : 'paid';
			const invoice = store.create('invoice', mode, {
				customer: customer.id,
				customer_email: customer.email,
				customer_name: customer.name,
				parent: subscriptionParent(String(sub.id)),
				status: invoiceStatus,
				currency: p.currency,
				total: amount,
				subtotal: amount,
				amount_due: amount,
				amount_paid: invoiceStatus === 'paid' ? amount : 0,
				amount_remaining: invoiceStatus === 'open' ? amount : 0,
				number: `DEMO-${String(i + 1).padStart(4, '0')}-${month + 1}`,
				created,
				period_start: created,
				period_end: created + 30 * DAY,
				billing_reason: month === 0 ? 'subscription_create' : 'subscription_cycle',
				hosted_invoice_url: `https://invoice.stripe.com/i/demo_${i}_${month}`,
			});
			// The line bills the subscription's price (the catalogue's invoice line knows no price).
			const line = (invoice.lines as { data: StripeObject[] }).data[0];
			line.quantity = quantity;
			line.pricing = {
				type: 'price_details',
				price_details: { price: p.id, product: p.product },
				unit_amount_decimal: String(p.unit_amount),
			};
			sub.latest_invoice = invoice.id;
			if (invoiceStatus === 'void') continue;
			payment(customer, amount, String(p.currency), created + 60, {
				failed: failing,
				invoice: invoice.id,
			});
			store.create('event', mode, {
				type: failing ? 'invoice.payment_failed' : 'invoice.paid',
				created: created + 60,
				data: { object: structuredClone(invoice) },
			});
		}
	});

	if (mode === 'test')
		seedSubscriptionCases(store, mode, {
			products,
			prices,
			customers,
			rest: customers.slice(subs.length),
		});

	// A draft invoice and one-off payments from the customers without a subscription.
	const rest = customers.slice(subs.length);
	if (rest[0])
		store.create('invoice', mode, {
			customer: rest[0].id,
			customer_email: rest[0].email,
			customer_name: rest[0].name,
			status: 'draft',
			total: 12000,
			subtotal: 12000,
			amount_due: 12000,
			amount_paid: 0,
			amount_remaining: 12000,
			created: at(2),
			collection_method: 'send_invoice',
			due_date: at(-28),
		});
	const oneOffs = rest.map((customer, i) =>
		payment(customer, 2500 + i * 500, i % 4 === 3 ? 'eur' : 'usd', at(10 + i * 3), {
			failed: i % 5 === 4,
		}),
	);

	// Refunds (one full, one partial) and a dispute with its adjustment.
	const refundable = oneOffs.filter((o) => o.charge.status === 'succeeded');
	refundable.slice(0, 2).forEach(({ charge }, i) => {
		const amount = i === 0 ? Number(charge.amount) : Math.round(Number(charge.amount) / 2);
		const created = (charge.created as number) + DAY;
		const refund = store.create('refund', mode, {
			amount,
			currency: charge.currency,
			charge: charge.id,
			payment_intent: charge.payment_intent,
			reason: i === 0 ? 'requested_by_customer' : 'duplicate',
			created,
		});
		const txn = store.create('balance_transaction', mode, {
			amount: -amount,
			fee: 0,
			net: -amount,
			currency: charge.currency,
			type: 'refund',
			reporting_category: 'refund',
			source: refund.id,
			created,
			available_on: created,
			status: 'available',
			fee_details: [],
		});
		refund.balance_transaction = txn.id;
		charge.amount_refunded = amount;
		charge.refunded = amount === charge.amount;
		store.create('event', mode, {
			type: 'charge.refunded',
			created,
			data: { object: structuredClone(charge) },
		});
	});
	const disputed = refundable[2];
	if (disputed) {
		const created = (disputed.charge.created as number) + 3 * DAY;
		disputed.charge.disputed = true;
		const dispute = store.create('dispute', mode, {
			amount: disputed.charge.amount,
			currency: disputed.charge.currency,
			charge: disputed.charge.id,
			payment_intent: disputed.pi.id,
			reason: 'fraudulent',
			status: 'needs_response',
			created,
		});
		store.create('balance_transaction', mode, {
			amount: -Number(disputed.charge.amount),
			fee: 1500,
			net: -Number(disputed.charge.amount) - 1500,
			currency: disputed.charge.currency,
			type: 'adjustment',
			reporting_category: 'dispute',
			source: dispute.id,
			created,
			available_on: created,
			status: 'available',
			fee_details: [
				{
					amount: 1500,
					currency: disputed.charge.currency,
					description: 'Dispute fee',
					type: 'stripe_fee',
				},
			],
		});
		store.create('event', mode, {
			type: 'charge.dispute.created',
			created,
			data: { object: structuredClone(dispute) },
		});
	}

	// Weekly payouts of what became available, per currency, in every status.
	const payoutStatuses = [
		'paid',
		'paid',
		'paid',
		'paid',
		'paid',
		'paid',
		'paid',
		'failed',
		'paid',
		'paid',
		'paid',
		'paid',
		'paid',
		'paid',
		'in_transit',
		'pending',
	];
	for (let week = 16; week >= 1; week--) {
		const created = at(week * 7);
		const status = payoutStatuses[16 - week];
		for (const currency of ['usd', 'eur']) {
			const window = store
				.all('balance_transaction', mode)
				.filter(
					(t) =>
						t.currency === currency &&
						!t._payout &&
						t.type !== 'payout' &&
						(t.available_on as number) <= created,
				);
			const total = window.reduce((sum, t) => sum + Number(t.net), 0);
			if (total <= 0) continue;
			const payout = store.create('payout', mode, {
				amount: total,
				currency,
				status,
				created,
				arrival_date: created + 2 * DAY,
				failure_code: status === 'failed' ? 'account_closed' : null,
				failure_message: status === 'failed' ? 'The bank account has been closed.' : null,
			});
			const txn = store.create('balance_transaction', mode, {
				amount: -total,
				fee: 0,
				net: -total,
				currency,
				type: 'payout',
				reporting_category: 'payout',
				source: payout.id,
				created,
				available_on: created,
				status: 'available',
				fee_details: [],
			});
			payout.balance_transaction = txn.id;
			if (status !== 'failed') for (const t of window) t._payout = payout.id;
			store.create('event', mode, {
				type: `payout.${status === 'paid' ? 'paid' : status === 'failed' ? 'failed' : 'created'}`,
				created,
				data: { object: structuredClone(payout) },
			});
		}
	}

	// Checkout sessions: completed ones behind some subscriptions, one open, one expired.
	subs.slice(0, 5).forEach((customer, i) => {
		const sub = store.all('subscription', mode).find((s) => s.customer === customer.id);
		store.create('checkout_session', mode, {
			mode: 'subscription',
			status: 'complete',
			payment_status: 'paid',
			customer: customer.id,
			customer_details: {
				email: customer.email,
				name: customer.name,
				phone: null,
				address: null,
				tax_exempt: 'none',
				tax_ids: [],
			},
			subscription: sub?.id ?? null,
			amount_total: 4900,
			currency: 'usd',
			created: customer.created,
			url: null,
			expires_at: (customer.created as number) + DAY,
			metadata: { campaign: i % 2 ? 'spring' : 'organic' },
		});
	});
	store.create('checkout_session', mode, {
		mode: 'payment',
		status: 'open',
		amount_total: 2500,
		currency: 'usd',
		created: at(0.5),
		url: 'https://checkout.stripe.com/c/pay/cs_test_demo',
		expires_at: at(-0.5),
	});
	store.create('checkout_session', mode, {
		mode: 'payment',
		status: 'expired',
		amount_total: 2500,
		currency: 'usd',
		created: at(3),
		url: null,
		expires_at: at(2),
	});

	// The last two days, for the examples' daily reports ("yesterday" in the workflow's time zone,
	// whichever it is): a payment every 6 hours from 12 to 48 hours before the seed, and every 12
	// hours one that failed, from a customer with an email address (the failed-payment follow-up
	// writes to them). "Yesterday" always holds the moment 24 hours before now, so it holds at least
	// one of each for twelve hours after the seed (every `npm start` seeds afresh). Added last, so
	// the data seeded above is unchanged.
	if (customers.length > 0) {
		for (let hours = 12; hours <= 48; hours += 6) {
			const customer = customers[(hours / 6) % customers.length];
			payment(customer, 2900 + hours * 100, hours === 30 ? 'eur' : 'usd', now - hours * 3600);
			if (hours % 12 === 0) {
				const payer = customers[(hours / 6 + 7) % customers.length];
				payment(payer, 1900 + hours * 50, 'usd', now - hours * 3600 + 600, { failed: true });
			}
		}
	}
}

/**
 * The sandbox's subscriptions that MRR and Movements must get right, each with the events behind
 * it in the last 30 days: a converted trial, a paused one, mixed intervals, seat packs
 * (transform_quantity), VAT included in the price, volume tiers, coupons of every duration, a
 * cancellation at period end, paused collection, and an upgrade and a downgrade.
 */
function seedSubscriptionCases(
	store: Store,
	mode: Mode,
	demo: {
		products: StripeObject[];
		prices: StripeObject[];
		customers: StripeObject[];
		rest: StripeObject[];
	},
): void {
	const now = store.now();
	const at = (daysAgo: number) => now - Math.floor(daysAgo * DAY);
	const [starterMonthly, , proMonthly] = demo.prices;
	const recurring = (interval: string) => ({
		interval,
		interval_count: 1,
		meter: null,
		trial_period_days: null,
		usage_type: 'licensed',
	});
	const product = (name: string, description: string) =>
		store.create('product', mode, { name, description, created: at(150) });
	const price = (p: StripeObject, fields: Record<string, unknown>) =>
		store.create('price', mode, { product: p.id, created: at(150), ...fields });
	const analytics = price(product('Analytics add-on', 'Dashboards for the whole team'), {
		unit_amount: 24000,
		unit_amount_decimal: '24000',
		currency: 'usd',
		nickname: 'Analytics yearly',
		recurring: recurring('year'),
	});
	// $10 per pack of 5 seats: 12 seats are 3 packs.
	const seats = price(product('Team seats', 'Billed in packs of 5 seats'), {
		unit_amount: 1000,
		unit_amount_decimal: '1000',
		currency: 'usd',
		nickname: 'Seats (packs of 5)',
		transform_quantity: { divide_by: 5, round: 'up' },
		recurring: recurring('month'),
	});
	// €59.50 with 19 % VAT included: €50.00 a month without tax.
	const proVat = price(demo.products[1], {
		unit_amount: 5950,
		unit_amount_decimal: '5950',
		currency: 'eur',
		nickname: 'Pro monthly EUR, VAT included',
		tax_behavior: 'inclusive',
		recurring: recurring('month'),
	});
	const vat = {
		...template('tax_rate'),
		id: store.newId('txr_', 24),
		created: at(150),
		display_name: 'VAT',
		description: 'VAT Germany',
		country: 'DE',
		jurisdiction: 'DE',
		percentage: 19,
		inclusive: true,
		tax_type: 'vat',
		flat_amount: null,
		rate_type: 'percentage',
		livemode: mode === 'live',
	};
	// Volume tiers: every unit at the price of the tier the quantity falls in (30 units at $8.00).
	const api = price(product('API calls', 'Committed monthly API volume, in thousands'), {
		unit_amount: null,
		unit_amount_decimal: null,
		currency: 'usd',
		nickname: 'API volume',
		billing_scheme: 'tiered',
		tiers_mode: 'volume',
		tiers: [
			{
				up_to: 10,
				unit_amount: 1000,
				unit_amount_decimal: '1000',
				flat_amount: null,
				flat_amount_decimal: null,
			},
			{
				up_to: 50,
				unit_amount: 800,
				unit_amount_decimal: '800',
				flat_amount: null,
				flat_amount_decimal: null,
			},
			{
				up_to: null,
				unit_amount: 600,
				unit_amount_decimal: '600',
				flat_amount: null,
				flat_amount_decimal: null,
			},
		],
		recurring: recurring('month'),
	});
	const welcome = store.create('coupon', mode, {
		id: 'WELCOME50',
		name: 'Welcome: 50 % for 3 months',
		percent_off: 50,
		duration: 'repeating',
		duration_in_months: 3,
		created: at(150),
	});
	const sorry = store.create('coupon', mode, {
		id: 'SORRY10',
		name: '$10 off the next invoice',
		amount_off: 1000,
		currency: 'usd',
		duration: 'once',
		created: at(150),
	});

	const event = (
		type: string,
		created: number,
		sub: StripeObject,
		previous?: Record<string, unknown>,
	) =>
		store.create('event', mode, {
			type,
			created,
			data: {
				object: structuredClone(sub),
				...(previous ? { previous_attributes: previous } : {}),
			},
		});
	/**
	 * A subscription as it was created (its event says so), its later changes applied by the caller.
	 */
	const subscribe = (
		customer: StripeObject,
		items: Array<{ price: StripeObject; quantity?: number }>,
		created: number,
		fields: Record<string, unknown> = {},
	) => {
		const sub = store.create('subscription', mode, {
			customer: customer.id,
			status: 'active',
			created,
			start_date: created,
			currency: items[0].price.currency,
			metadata: {},
			...fields,
		});
		const year = items.some((i) => (i.price.recurring as { interval: string }).interval === 'year');
		sub.items = {
			object: 'list',
			data: items.map((i) =>
				subscriptionItem({
					id: store.newId('si_', 14),
					subscription: sub.id,
					price: structuredClone(i.price),
					quantity: i.quantity ?? 1,
					created,
					periodEnd: created + (year ? 365 : 30) * DAY,
				}),
			),
			has_more: false,
			url: `/v1/subscription_items?subscription=${sub.id}`,
		};
		event('customer.subscription.created', created, sub);
		return sub;
	};
	const discount = (sub: StripeObject, coupon: StripeObject, start: number, end: number | null) => {
		const d = store.create('discount', mode, {
			source: { coupon: coupon.id, type: 'coupon' },
			customer: sub.customer,
			subscription: sub.id,
			start,
			end,
		});
		sub.discounts = [d.id];
	};
	const [
		converted,
		paused,
		mixed,
		team,
		vatCustomer,
		volume,
		welcomed,
		apologised,
		leaving,
		onHold,
	] = demo.rest;

	// A 14-day trial that converted 6 days ago: new MRR then, not at sign-up.
	if (converted) {
		const sub = subscribe(converted, [{ price: proMonthly }], at(20), {
			status: 'trialing',
			trial_start: at(20),
			trial_end: at(6),
		});
		sub.status = 'active';
		event('customer.subscription.updated', at(6), sub, { status: 'trialing' });
	}
	// A trial that ended without a payment method and paused (trial_settings: pause): never paying.
	if (paused) {
		const sub = subscribe(paused, [{ price: starterMonthly }], at(25), {
			status: 'trialing',
			trial_start: at(25),
			trial_end: at(18),
			trial_settings: { end_behavior: { missing_payment_method: 'pause' } },
		});
		sub.status = 'paused';
		event('customer.subscription.paused', at(18), sub, { status: 'trialing' });
	}
	// Monthly Pro and a yearly add-on on one subscription: $49.00 + $240.00 ÷ 12 = $69.00 a month.
	if (mixed) subscribe(mixed, [{ price: proMonthly }, { price: analytics }], at(70));
	// 8 seats (2 packs, $20.00) grew to 12 seats (3 packs, $30.00) 9 days ago: expansion.
	if (team) {
		const sub = subscribe(team, [{ price: seats, quantity: 8 }], at(50));
		// An updated array comes back whole in previous_attributes: here the whole item list.
		const before = structuredClone(sub.items as { data: StripeObject[] });
		(sub.items as { data: StripeObject[] }).data[0].quantity = 12;
		event('customer.subscription.updated', at(9), sub, { items: before });
	}
	if (vatCustomer)
		subscribe(vatCustomer, [{ price: proVat }], at(40), { default_tax_rates: [vat] });
	if (volume) subscribe(volume, [{ price: api, quantity: 30 }], at(60));
	// 50 % off for 3 months from 12 days ago: a repeating
	// coupon, which Stripe's default leaves in MRR.
	if (welcomed) {
		const sub = subscribe(welcomed, [{ price: proMonthly }], at(12));
		discount(sub, welcome, at(12), at(12) + 90 * DAY);
		event('customer.subscription.updated', at(12) + 60, sub, { discounts: [] });
	}
	// $10 off the next invoice, given 2 days ago: a one-time coupon.
	if (apologised) {
		const sub = subscribe(apologised, [{ price: starterMonthly }], at(45));
		discount(sub, sorry, at(2), null);
		event('customer.subscription.updated', at(2), sub, { discounts: [] });
	}
	// Asked 4 days ago to cancel at the end of the period (in
	// 10 days): out of MRR at the request by Stripe's default.
	if (leaving) {
		const sub = subscribe(leaving, [{ price: proMonthly }], at(80));
		Object.assign(sub, {
			cancel_at_period_end: true,
			cancel_at: at(-10),
			canceled_at: at(4),
			cancellation_details: {
				comment: 'Switching tools',
				feedback: 'switched_service',
				feedback_option: null,
				reason: 'cancellation_requested',
			},
		});
		event('customer.subscription.updated', at(4), sub, {
			cancel_at_period_end: false,
			cancel_at: null,
			canceled_at: null,
		});
	}
	// Collection paused 5 days ago for two weeks (invoices
	// voided meanwhile): active all along, so counted by default (Paused Collection: Exclude).
	if (onHold) {
		const sub = subscribe(onHold, [{ price: starterMonthly }], at(65));
		sub.pause_collection = { behavior: 'void', resumes_at: at(-9) };
		event('customer.subscription.updated', at(5), sub, { pause_collection: null });
	}
	// A customer's second subscription, downgraded 7 days ago
	// from 15 seats (3 packs) to 10 (2 packs): contraction.
	if (demo.customers[0]) {
		const sub = subscribe(demo.customers[0], [{ price: seats, quantity: 15 }], at(100));
		const before = structuredClone(sub.items as { data: StripeObject[] });
		(sub.items as { data: StripeObject[] }).data[0].quantity = 10;
		event('customer.subscription.updated', at(7), sub, { items: before });
	}
}
