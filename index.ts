export { StripeRestrictedKeyApi } from './credentials/StripeRestrictedKeyApi.credentials';
export { StripeGuardAuditApi } from './credentials/StripeGuardAuditApi.credentials';
export { StripeGuard } from './nodes/StripeGuard/StripeGuard.node';
export { StripeGuardApproval } from './nodes/StripeGuardApproval/StripeGuardApproval.node';
export { StripeGuardTrigger } from './nodes/StripeGuardTrigger/StripeGuardTrigger.node';
