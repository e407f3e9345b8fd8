/**
 * What Stripe charges for a price at a quantity, by Stripe's pricing rules: per-unit prices with
 * an optional quantity transform, and tiered prices (volume: one tier for all units; graduated:
 * each tier for its own units), each tier with an optional flat fee. Used where a person must see
 * the money a write moves before approving it.
 */

export interface PriceTerms {
	unit_amount: number | null;
	currency: string;
	billing_scheme?: string | null;
	tiers_mode?: string | null;
	tiers?: Array<{
		up_to: number | null;
		unit_amount: number | null;
		unit_amount_decimal?: string | null;
		flat_amount: number | null;
	}> | null;
	transform_quantity?: { divide_by: number; round: string } | null;
	custom_unit_amount?: unknown;
	usage_type?: string | null;
}

/**
 * The amount in minor units, or undefined when it cannot be known in advance (customer-chosen,
 * metered, tiers missing).
 */
export function amountForQuantity(price: PriceTerms, quantity: number): number | undefined {
	if (price.custom_unit_amount || price.usage_type === 'metered') return undefined;
	if (price.billing_scheme === 'tiered') {
		const tiers = price.tiers ?? [];
		if (tiers.length === 0) return undefined;
		// A tier priced in fractions of the minor unit has unit_amount null and unit_amount_decimal
		// set; Stripe rounds the line's total to the minor unit.
		const unit = (tier: (typeof tiers)[number]) =>
			tier.unit_amount ?? Number(tier.unit_amount_decimal ?? 0);
		if (tiers.some((t) => !Number.isFinite(unit(t)))) return undefined;
		const cost = (tier: (typeof tiers)[number], units: number) =>
			unit(tier) * units + (tier.flat_amount ?? 0);
		if (price.tiers_mode === 'volume') {
			const tier = tiers.find((t) => t.up_to === null || quantity <= t.up_to);
			return tier ? Math.round(cost(tier, quantity)) : undefined;
		}
		let total = 0;
		let below = 0;
		for (const tier of tiers) {
			if (quantity <= below) break;
			const top = tier.up_to === null ? quantity : Math.min(quantity, tier.up_to);
			total += cost(tier, top - below);
			below = top;
		}
		return Math.round(total);
	}
	if (price.unit_amount === null || price.unit_amount === undefined) return undefined;
	let units = quantity;
	if (price.transform_quantity) {
		const divided = quantity / price.transform_quantity.divide_by;
		units = price.transform_quantity.round === 'down' ? Math.floor(divided) : Math.ceil(divided);
	}
	return price.unit_amount * units;
}
