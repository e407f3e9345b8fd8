/**
 * The credential test every Stripe Guard node offers: the shared checks, with an
 * over-permission probe for each write the package can propose.
 */
import { credentialTest } from '../shared/credentials/credential-test';
import { WRITE_PROBES } from './writes';

export const stripeRestrictedKeyApiTest = credentialTest(WRITE_PROBES);
