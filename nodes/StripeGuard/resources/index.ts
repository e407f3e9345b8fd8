/** Every resource of the Stripe Guard node; adding a resource is adding its file and a line here. */
import type { ResourceDefinition } from '../../shared/operation';
import { customer } from './customer';
import { queryResource } from './query';

/** Resources with get / list / search, in the order the node shows them. */
const readResources = [customer];

export const resources: ResourceDefinition[] = [...readResources, queryResource(readResources.map((r) => r.spec))];
