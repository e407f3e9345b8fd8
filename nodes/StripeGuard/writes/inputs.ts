/**
 * Reading a write's input into the exact request: IDs, optional fields of the type Stripe takes,
 * required text, emails; each refusal is a WriteInputError in words that say what to fix.
 */
import type { StripeWriteRequest } from '../../shared/proposals/proposals';
import { WriteInputError, type WriteInput } from './define';
import { asText, idProblem, metadataProblem } from './validation';

export const check = (problem: string | undefined) => {
	if (problem) throw new WriteInputError(problem);
};

/** The ID in `input[name]`, trimmed, with the object type's prefix. */
export function id(input: WriteInput, name: string, label: string, prefix: string): string {
	const value = typeof input[name] === 'string' ? (input[name] as string).trim() : input[name];
	check(idProblem(value, label, prefix));
	return value as string;
}

/**
 * Copies the optional fields that are set, each of the type Stripe takes; metadata within
 * Stripe's limits.
 */
export function optional(input: WriteInput, names: string[]): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const name of names) {
		const value = input[name];
		if (value === undefined || value === null || value === '') continue;
		if (name === 'metadata') check(metadataProblem(value));
		else if (name === 'active') {
			if (typeof value !== 'boolean')
				throw new WriteInputError(
					`"${name}" must be true or false, not ${asText(value).slice(0, 40)}`,
				);
		} else if (typeof value !== 'string')
			throw new WriteInputError(`"${name}" must be text, not ${asText(value).slice(0, 40)}`);
		out[name] = value;
	}
	return out;
}

export function requireText(input: WriteInput, name: string, label: string): string {
	const value = input[name];
	if (typeof value !== 'string' || !value.trim()) throw new WriteInputError(`${label} is required`);
	return value.trim();
}

export function email(input: WriteInput): void {
	if (
		input.email !== undefined &&
		input.email !== '' &&
		!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(asText(input.email))
	) {
		throw new WriteInputError(`"${asText(input.email).slice(0, 60)}" is not an email address`);
	}
}

/** An update must change something. */
export function someChange(params: Record<string, unknown>): void {
	if (Object.keys(params).length === 0)
		throw new WriteInputError('Choose at least one field to change');
}

export const post = (path: string, params: Record<string, unknown>): StripeWriteRequest => ({
	method: 'POST',
	path,
	params,
});
export const del = (path: string, params: Record<string, unknown> = {}): StripeWriteRequest => ({
	method: 'DELETE',
	path,
	params,
});

/** The names of the fields an update changes, for its headline. */
export const changes = (params: Record<string, unknown>) =>
	Object.keys(params).join(', ') || 'nothing';

/** The ID a write's request path names (`/v1/invoices/in_1/finalize` → `in_1`). */
export const targetOf = (request: StripeWriteRequest) => request.path.split('/')[3] ?? '';

/** Probes name IDs that cannot exist: users can choose product and plan IDs, so not a word. */
export const PROBE_ID = 'StripeGuardWriteProbe0000';
