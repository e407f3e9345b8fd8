/** Every resource of the Stripe Guard node; adding a resource is adding its file and a line here. */
import type { ResourceDefinition } from '../framework/operation';
import { balance } from './balance';
import { balanceTransaction } from './balanceTransaction';
import { charge } from './charge';
import { checkoutSession } from './checkoutSession';
import { customer } from './customer';
import { event } from './event';
import { invoice } from './invoice';
import { paymentIntent } from './paymentIntent';
import { payout } from './payout';
import { price } from './price';
import { product } from './product';
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
	balanceTransaction,
	payout,
	checkoutSession,
	event,
];

/** What the Query reads: every resource with get and list. */
export const querySpecs = readResources.map((r) => r.spec);

export const resources: ResourceDefinition[] = [
	...readResources.slice(0, 8),
	balance,
	...readResources.slice(8),
	reportResource,
	queryResource(querySpecs),
];
