import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import type { ResourceDefinition } from '../framework/operation';
import { outputFields, shapeOutput, type Shape } from '../framework/read-resource';

const simplifyFunds = (funds: unknown) =>
	((funds as IDataObject[] | undefined) ?? []).map((f) => ({
		currency: f.currency,
		...money('amount', f.amount, f.currency),
	}));

/** The balance simplified: funds per currency (no dates). */
export const balanceShape: Shape = {
	simplify: (b: IDataObject) => ({
		available: simplifyFunds(b.available),
		pending: simplifyFunds(b.pending),
		livemode: b.livemode,
	}),
};

export const balance: ResourceDefinition = {
	value: 'balance',
	name: 'Balance',
	// Shown with what moves it.
	before: 'balanceTransaction',
	operations: [
		{
			value: 'get',
			name: 'Get',
			action: 'Get the balance',
			description:
				"The account's balance per currency: available now and pending. " +
				'Needs Balance: Read (rak_balance_read).',
			properties: outputFields(),
			async execute(ctx) {
				const object = (await ctx.stripe.balance.retrieve()) as unknown as IDataObject;
				return shapeOutput(ctx, balanceShape, [object])[0];
			},
		},
	],
};
