/** Every resource of the Stripe Guard node; adding a resource is adding its file and a line here. */
import type { ResourceDefinition } from '../../shared/operation';
import { customer } from './customer';

export const resources: ResourceDefinition[] = [customer];
