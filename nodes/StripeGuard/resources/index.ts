/** Every resource of the Stripe Guard node; adding one is adding its file and a line here. */
import type { ResourceDefinition } from '../framework/operation';
import { writeOperation } from '../framework/write-operation';
import { WRITES } from '../writes';
import { balance } from './balance';
import { balanceTransaction } from './balanceTransaction';
import { charge } from './charge';
import { checkoutSession } from './checkoutSession';
import { coupon } from './coupon';
import { customer } from './customer';
import { dispute } from './dispute';
import { event } from './event';
import { invoice } from './invoice';
import { paymentIntent } from './paymentIntent';
import { payout } from './payout';
import { price } from './price';
import { product } from './product';
import { proposalResource } from './proposal';
import { queryResource } from './query';
import { refund } from './refund';
import { reportResource } from './report';
import { subscription } from './subscription';

/** Resources with get / list (and search where Stripe has it), in the order the node shows them. */
const readResources = [
	customer,
	product,
	price,
	subscription,
	invoice,
	paymentIntent,
	charge,
	refund,
	dispute,
	balanceTransaction,
	payout,
	checkoutSession,
	event,
	coupon,
];

/** What the Query reads: every resource with get and list. */
export const querySpecs = readResources.map((r) => r.spec);

/** A resource's operations, then the Propose operation of each write declared for it. */
function withWrites(resource: ResourceDefinition): ResourceDefinition {
	const writes = WRITES.filter((w) => w.resource === resource.value);
	return { ...resource, operations: [...resource.operations, ...writes.map(writeOperation)] };
}

/** In the order listed, except that a resource which says `before` comes right before that one. */
function inShownOrder(listed: ResourceDefinition[]): ResourceDefinition[] {
	const shown = listed.filter((r) => !r.before);
	for (const r of listed.filter((r) => r.before)) {
		const at = shown.findIndex((s) => s.value === r.before);
		if (at < 0) throw new Error(`${r.value} is to be shown before ${r.before}, which is not shown`);
		shown.splice(at, 0, r);
	}
	return shown;
}

const shown = inShownOrder([
	...readResources,
	balance,
	reportResource,
	queryResource(querySpecs),
	proposalResource,
]);

export const resources = shown.map(withWrites);

// A write must belong to a resource the node shows; otherwise no one could propose it.
for (const write of WRITES) {
	if (!resources.some((r) => r.value === write.resource))
		throw new Error(`Write ${write.key} names no resource of the Stripe Guard node`);
}
