/**
 * Reading a write's input into the exact request: IDs, optional fields of the type and length
 * Stripe takes, required text, choices, whole numbers, URLs, emails; each refusal is a
 * WriteInputError in words that say what to fix.
 */
import type { IdPrefix } from '../../shared/ids';
import type { StripeWriteRequest } from '../../shared/proposals/proposals';
import { WriteInputError, type WriteInput } from './define';
import {
	asText,
	choiceProblem,
	idProblem,
	metadataProblem,
	textProblem,
	urlProblem,
	wholeNumberProblem,
} from './validation';

export const check = (problem: string | undefined) => {
	if (problem) throw new WriteInputError(problem);
};

/** The ID in `input[name]`, trimmed, with the object type's prefix (one of them). */
export function id(input: WriteInput, name: string, label: string, prefix: IdPrefix): string {
	const value = typeof input[name] === 'string' ? (input[name] as string).trim() : input[name];
	check(idProblem(value, label, prefix));
	return value as string;
}

/** A field left empty in the node (n8n gives '' or null) is not set. */
export const isUnset = (value: unknown) => value === undefined || value === null || value === '';

/**
 * What Stripe takes in an optional field: text of at most that many characters (the parameter's
 * maxLength in Stripe's definitions), true or false, or metadata.
 */
export type FieldRule = number | 'boolean' | 'metadata';

/** Copies the optional fields that are set, each of the type and length Stripe takes. */
export function optional(
	input: WriteInput,
	fields: Record<string, FieldRule>,
): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [name, rule] of Object.entries(fields)) {
		const value = input[name];
		if (isUnset(value)) continue;
		if (rule === 'metadata') check(metadataProblem(value));
		else if (rule === 'boolean') check(flagProblem(value, name));
		else check(textProblem(value, `"${name}"`, rule));
		out[name] = value;
	}
	return out;
}

const flagProblem = (value: unknown, name: string) =>
	typeof value === 'boolean'
		? undefined
		: `"${name}" must be true or false, not ${asText(value).slice(0, 40)}`;

/** An optional true-or-false field: undefined when left empty. */
export function flag(input: WriteInput, name: string): boolean | undefined {
	if (isUnset(input[name])) return undefined;
	check(flagProblem(input[name], name));
	return input[name] as boolean;
}

/** An optional field of a few values (a dropdown's): undefined when left empty. */
export function choice<T extends string>(
	input: WriteInput,
	name: string,
	label: string,
	values: readonly T[],
	listed?: string,
): T | undefined {
	if (isUnset(input[name])) return undefined;
	check(choiceProblem(input[name], label, values, listed));
	return input[name] as T;
}

/** A whole number from `min` to `max`; `fallback` when left empty (n8n's number fields). */
export function wholeNumber(
	input: WriteInput,
	name: string,
	label: string,
	range: { min: number; max?: number; fallback: number },
): number {
	const value = input[name];
	if (value === undefined) return range.fallback;
	check(wholeNumberProblem(value, label, range.min, range.max));
	return Number(value);
}

export function requireText(
	input: WriteInput,
	name: string,
	label: string,
	maxLength: number,
): string {
	const value = input[name];
	if (typeof value !== 'string' || !value.trim()) throw new WriteInputError(`${label} is required`);
	check(textProblem(value.trim(), label, maxLength));
	return value.trim();
}

/** A URL Stripe sends the customer's browser to; undefined when an optional one is empty. */
export function webUrl(input: WriteInput, name: string, label: string, required: boolean) {
	const value = typeof input[name] === 'string' ? (input[name] as string).trim() : input[name];
	if (isUnset(value)) {
		if (required) throw new WriteInputError(`${label} is required`);
		return undefined;
	}
	check(urlProblem(value, label));
	return value as string;
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
