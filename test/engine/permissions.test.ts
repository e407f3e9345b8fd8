import {
	describePermission,
	missingPermissionMessage,
	parseMissingPermissions,
} from '../../nodes/shared/credentials/permissions';

describe('403 permission messages', () => {
	test('legacy wording, one permission', () => {
		const message =
			"The provided key 'rk_test_***qs8Kgd' does not have the required " +
			"permissions for this endpoint on account 'acct_1ABC'. " +
			"Having the 'rak_subscription_read' permission would allow this request to continue.";
		expect(parseMissingPermissions(message)).toEqual(['rak_subscription_read']);
	});

	test('legacy wording, several permissions', () => {
		const message =
			"The provided key 'rk_test_***qs8Kgd' does not have the required permissions " +
			"for this endpoint on account 'acct_1ABC'. Having the 'rak_charge_read' or " +
			"'rak_payment_intent_read' permissions would allow this request to continue.";
		expect(parseMissingPermissions(message)).toEqual([
			'rak_charge_read',
			'rak_payment_intent_read',
		]);
		expect(missingPermissionMessage(parseMissingPermissions(message))).toBe(
			'This key is missing one of Charges: Read (rak_charge_read) ' +
				'or PaymentIntents: Read (rak_payment_intent_read). Edit the key ' +
				'in the Stripe Dashboard → Developers → API keys and grant it.',
		);
	});

	test('modern wording names the code without rak_', () => {
		const message =
			"Permission denied. The provided key 'rk_live_***j4va7j' does not have the " +
			"required permissions for this endpoint on account 'acct_123'. " +
			'Enabling "Prices Read" (\'plan_read\') permissions on this key would allow this request ' +
			'to continue. You can edit permissions at https://dashboard.stripe.com/acct_123/apikeys.';
		expect(parseMissingPermissions(message)).toEqual(['rak_plan_read']);
		expect(missingPermissionMessage(['rak_plan_read'])).toBe(
			'This key is missing Prices: Read (rak_plan_read). ' +
				'Edit the key in the Stripe Dashboard → Developers → API keys and grant it.',
		);
	});

	test('other messages are not permission errors', () => {
		expect(parseMissingPermissions("No such customer: 'cus_123'")).toEqual([]);
		expect(parseMissingPermissions('')).toEqual([]);
	});

	test('every permission has a dashboard name', () => {
		expect(describePermission('rak_subscription_read')).toBe('Subscriptions: Read');
		expect(describePermission('rak_balance_transaction_source_read')).toBe(
			'Balance Transaction Sources: Read',
		);
		expect(describePermission('rak_refund_write')).toBe('Refunds: Write');
		expect(describePermission('checkout_session_write')).toBe('Checkout Sessions: Write');
	});
});
