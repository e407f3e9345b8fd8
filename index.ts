export { StripeRestrictedKeyApi } from './credentials/StripeRestrictedKeyApi.credentials';
export { StripeGuard } from './nodes/StripeGuard/StripeGuard.node';
