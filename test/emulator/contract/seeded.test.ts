/**
 * The emulator's demo data against Stripe's object schemas (./index, generated from the stripe
 * package): every seeded object of both modes, as it goes on the wire, events with the object they
 * carry. Kept apart from contract.test.ts, which checks the checker itself.
 */
import { serialize } from '../api';
import { startEmulator, type Mode, type ObjectType, type StripeEmulator } from '../index';
import { checkObject } from './index';

const TYPES: ObjectType[] = [
	'customer',
	'product',
	'price',
	'subscription',
	'invoice',
	'invoiceitem',
	'line_item',
	'payment_intent',
	'charge',
	'refund',
	'balance_transaction',
	'payout',
	'checkout_session',
	'event',
	'dispute',
	'coupon',
	'discount',
	'invoice_payment',
];

let emu: StripeEmulator;
beforeAll(async () => {
	emu = await startEmulator({ seed: 'demo' });
});
afterAll(async () => {
	await emu.stop();
});

const MODES: Mode[] = ['test', 'live'];
const CASES = MODES.flatMap((mode) => TYPES.map((type) => [mode, type] as const));

// What goes on the wire: serialize() drops the emulator's private fields (`_payout`) and the fields
// Stripe returns only when expanded. An event's `data.object` is checked too: each event type's
// schema names the object it carries (CustomerCreatedEvent.Data.object is a Customer).
test.each(CASES)("seeded %s-mode %s objects fit Stripe's schema", (mode, type) => {
	const objects = emu.list(type, mode);
	// The seed makes no invoice items or stand-alone line items (an invoice's lines are checked
	// inside it), and the smaller live-mode seed has no dispute; everything else must be there.
	if (!['invoiceitem', 'line_item'].includes(type) && !(mode === 'live' && type === 'dispute'))
		expect(objects.length).toBeGreaterThan(0);
	const errors = objects.flatMap((o) => {
		const wire = JSON.parse(serialize(o)) as { id: string; object: string };
		return checkObject(wire.object, wire).map((e) => `${wire.id} (${wire.object}): ${e}`);
	});
	expect(errors).toEqual([]);
});
