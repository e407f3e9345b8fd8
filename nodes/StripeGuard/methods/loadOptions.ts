/**
 * Dropdowns whose choices Stripe knows: the prices a checkout sells, the currencies the account
 * can charge in. Requests go through the transport; a missing permission is named.
 */
import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { readCredentials } from '../../shared/credentials/credentials';
import { toNodeError } from '../../shared/errors';
import { createStripeClient, isStripeApiError, type StripeClient } from '../../shared/transport';
import { describePrice, describePriceTerms } from '../framework/lookup';

/**
 * At most this many prices in the dropdown (newest
 * first); others can be given by ID in an expression.
 */
export const MAX_PRICE_OPTIONS = 200;

async function client(fn: ILoadOptionsFunctions): Promise<StripeClient> {
	return createStripeClient(fn, await readCredentials(fn));
}

/** Active prices, newest first, as "Pro — $49.00 / month (price_…)". */
async function getPrices(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	try {
		const stripe = await client(this);
		const options: INodePropertyOptions[] = [];
		for await (const price of stripe.prices.list({
			active: true,
			limit: 100,
			expand: ['data.product'],
		})) {
			const p = price as unknown as IDataObject;
			options.push({
				name: `${describePrice(p)} (${p.id as string})`,
				value: p.id as string,
				description: describePriceTerms(p),
			});
			if (options.length >= MAX_PRICE_OPTIONS) break;
		}
		return options;
	} catch (error) {
		throw toNodeError(this.getNode(), error, 0);
	}
}

/**
 * The currencies the account can charge in: its country's supported payment currencies
 * (`GET /v1/country_specs/{country}`), the account's default currency first. When the country's
 * list cannot be read, the default currency alone.
 */
async function getCurrencies(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	try {
		const stripe = await client(this);
		const account = (await stripe.accounts.retrieveCurrent()) as unknown as IDataObject;
		const preferred =
			typeof account.default_currency === 'string' ? account.default_currency : undefined;
		let supported: string[] = [];
		if (typeof account.country === 'string') {
			try {
				const spec = (await stripe.rawRequest(
					'GET',
					`/v1/country_specs/${encodeURIComponent(account.country)}`,
				)) as unknown as IDataObject;
				supported = (spec.supported_payment_currencies as string[] | undefined) ?? [];
			} catch (error) {
				if (!isStripeApiError(error) || ![403, 404].includes(error.statusCode ?? 0))
					throw toNodeError(this.getNode(), error, 0);
			}
		}
		const rest = [...new Set(supported.map((c) => c.toLowerCase()))]
			.filter((c) => c !== preferred)
			.sort();
		const codes = preferred ? [preferred, ...rest] : rest;
		return codes.map((code) => ({
			name: code === preferred ? `${code.toUpperCase()} (account default)` : code.toUpperCase(),
			value: code,
		}));
	} catch (error) {
		throw toNodeError(this.getNode(), error, 0);
	}
}

export const loadOptions = { getPrices, getCurrencies };
