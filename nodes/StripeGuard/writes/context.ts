/**
 * Words for the context an approver sees beside a proposal (read from Stripe at review time):
 * a date, a person. Shown only to the approver, never returned to a model.
 */
import type { IDataObject } from 'n8n-workflow';

/** Stripe's Unix seconds as "2026-11-21 07:41 UTC". */
export const date = (unix: unknown) =>
	typeof unix === 'number'
		? `${new Date(unix * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`
		: 'unknown';

/** "Ada Lovelace <ada@example.com>" from a customer object, or the fallback's name and email. */
export function person(
	customer: unknown,
	fallback: { name?: unknown; email?: unknown } = {},
): string {
	const c = customer && typeof customer === 'object' ? (customer as IDataObject) : {};
	const name = c.name ?? fallback.name;
	const email = c.email ?? fallback.email;
	return [name, email ? `<${String(email)}>` : ''].filter(Boolean).join(' ') || 'unknown';
}
