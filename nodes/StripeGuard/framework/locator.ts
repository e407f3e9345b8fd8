/**
 * Resource locators: every field that names a Stripe object offers From List (searchable, paged),
 * By ID (prefix checked in the editor) and By URL (a Stripe Dashboard link, live or test).
 *
 * Compatible parameters: the fields keep their names, and the value may be a plain string (what
 * workflows saved before the locators, or an expression that gives an ID) or n8n's
 * `{__rl: true, mode, value}`. So old workflows run unchanged, with no node version bump.
 */
import {
	NodeOperationError,
	type INodeProperties,
	type INodePropertyMode,
	type INodePropertyRegexValidation,
} from 'n8n-workflow';

import type { StripeMode } from '../../shared/credentials/credentials';
import { prefixesOf, type IdPrefix } from '../../shared/ids';
import {
	capitalize,
	idExample,
	idForms,
	idRule,
	idSample,
	prefixWords,
	withArticle,
} from './words';
import type { OperationContext } from './operation';

/**
 * What a locator field can name: each read resource's declaration gives its own
 * (defineReadResource), so that By ID, By URL, From List and the Dashboard links follow it.
 */
export interface LocatorTarget {
	/** As messages say it: "customer", "payment intent". */
	label: string;
	/**
	 * Stripe's ID prefix ("cus_"), or its prefixes (["du_", "dp_"]); '' where IDs have none
	 * (coupons: codes such as SUMMER25).
	 */
	prefix: IdPrefix;
	/** The Stripe Dashboard's page of these objects: "customers", "checkout/sessions". */
	dashboard: string;
}

/** The look-up behind From List, named from the label: "payment intent" → searchPaymentIntents. */
export const searchMethodOf = (label: string) =>
	`search${label.split(' ').map(capitalize).join('')}s`;

const TARGETS: LocatorTarget[] = [];
/** Fields made before the resource they name declared itself: resource files name each other. */
const WAITING: Array<{ label: string; prefix: IdPrefix; complete(target: LocatorTarget): void }> =
	[];

/** Whether two prefixes have one in common ('' has none). */
const overlap = (a: IdPrefix, b: IdPrefix) =>
	prefixesOf(a).some((p) => p !== '' && prefixesOf(b).includes(p));

/** Whether a field's label and prefix name this target: by prefix, by label where IDs have none. */
const names = (target: LocatorTarget, label: string, prefix: IdPrefix) =>
	prefix ? overlap(target.prefix, prefix) : target.prefix === '' && target.label === label;

/** The declared target a field names, once its resource has declared itself. */
export const findTarget = (label: string, prefix: IdPrefix) =>
	TARGETS.find((t) => names(t, label, prefix));

/** Every declared target, in the order declared. */
export const locatorTargets = (): readonly LocatorTarget[] => TARGETS;

/** Fields whose resource never declared itself, as "label (prefix)": a test holds this empty. */
export const undeclaredTargets = () =>
	WAITING.map((w) => `${w.label} (${prefixWords(w.prefix) || 'no prefix'})`);

/** A read resource's target; the fields that were waiting for it are completed now. */
export function declareLocatorTarget(target: LocatorTarget): void {
	const taken = TARGETS.find((t) => t.label === target.label || overlap(t.prefix, target.prefix));
	if (taken) {
		const prefix = prefixWords(target.prefix) || 'no prefix';
		throw new Error(`Two read resources declare the ${target.label} (${prefix})`);
	}
	TARGETS.push(target);
	for (let i = WAITING.length - 1; i >= 0; i--) {
		if (!names(target, WAITING[i].label, WAITING[i].prefix)) continue;
		WAITING[i].complete(target);
		WAITING.splice(i, 1);
	}
}

/** Runs `complete` with the target a field names: now if it is declared, else when it is. */
function whenDeclared(label: string, prefix: IdPrefix, complete: (target: LocatorTarget) => void) {
	const target = findTarget(label, prefix);
	if (target) complete(target);
	else WAITING.push({ label, prefix, complete });
}

/** What n8n stores for a resource locator. */
export interface LocatorValue {
	__rl: true;
	mode: string;
	value: unknown;
}

/** The By ID pattern (n8n anchors it: `^…$`): a prefix, then Stripe's ID characters. */
export const idPattern = (prefix: IdPrefix) =>
	!prefix
		? '[A-Za-z0-9_-]+'
		: typeof prefix === 'string'
			? `${prefix}[A-Za-z0-9_]+`
			: `(?:${prefix.join('|')})[A-Za-z0-9_]+`;

const DASHBOARD = String.raw`https?://dashboard\.stripe\.com/`;
const ACCOUNT = String.raw`(?:acct_[A-Za-z0-9]+/)?`;

/**
 * The By URL pattern: a Dashboard link, live (`/customers/cus_…`) or test
 * (`/test/customers/cus_…`), optionally account-scoped (`/acct_…/…`), whatever page path leads to
 * the ID; its one group is the ID (n8n's extractValue takes exactly one group). An ID without a
 * prefix says nothing of its type: only a link to the target's own page holds one
 * (`…/coupons/SUMMER25`).
 */
export const urlPattern = (prefix: IdPrefix, dashboard = '') =>
	prefix
		? String.raw`${DASHBOARD}${ACCOUNT}(?:[a-z_-]+/)*(${idPattern(prefix)})(?:[/?#].*)?`
		: String.raw`${DASHBOARD}${ACCOUNT}(?:test/)?${dashboard}/(${idPattern('')})(?:[/?#].*)?`;

/** Whether a Dashboard link is of test mode (`/test/…`); undefined for anything else. */
export function dashboardMode(url: string): StripeMode | undefined {
	const m = new RegExp(String.raw`^${DASHBOARD}${ACCOUNT}(test/)?`).exec(url);
	if (!m) return undefined;
	return m[1] ? 'test' : 'live';
}

/**
 * The ID a Dashboard link points at, or undefined when it is not a link to an object with this
 * prefix (with no prefix: a link to the `dashboard` page).
 */
export function idFromDashboardUrl(
	url: string,
	prefix: IdPrefix,
	dashboard?: string,
): string | undefined {
	if (!prefix && !dashboard) return undefined;
	return new RegExp(`^${urlPattern(prefix, dashboard)}$`).exec(url.trim())?.[1];
}

/** The Dashboard link of an object on its page (`dashboard`) in this mode, for list results. */
export function dashboardUrl(dashboard: string, id: string, mode: StripeMode): string {
	const test = mode === 'test' ? 'test/' : '';
	return `https://dashboard.stripe.com/${test}${dashboard}/${encodeURIComponent(id)}`;
}

/** By URL's placeholder and checks, from the target's Dashboard page. */
function urlModeOf({ label, prefix, dashboard }: LocatorTarget): Partial<INodePropertyMode> {
	const tails = prefix ? prefixesOf(prefix).map((p) => `${p}…`) : [`${dashboard}/…`];
	const validation: INodePropertyRegexValidation = {
		type: 'regex',
		properties: {
			regex: urlPattern(prefix, dashboard),
			errorMessage:
				`Not a Stripe Dashboard URL of ${withArticle(label)} ` +
				`(${tails.map((tail) => `…/${tail}`).join(' or ')})`,
		},
	};
	return {
		placeholder: `https://dashboard.stripe.com/test/${dashboard}/${idExample(prefix)}`,
		extractValue: { type: 'regex', regex: urlPattern(prefix, dashboard) },
		validation: [validation],
	};
}

/** What each locator field names (`customerId` always names a customer), to read its value back. */
const TARGET_BY_NAME = new Map<string, { label: string; prefix: IdPrefix }>();

/** The label and prefix of a locator field made by locatorField. */
export const locatorTarget = (property: INodeProperties) => TARGET_BY_NAME.get(property.name);

/** A field naming one Stripe object, as a resource locator with From List, By ID and By URL. */
export function locatorField(
	name: string,
	label: string,
	prefix: IdPrefix,
	extra: Partial<INodeProperties> = {},
): INodeProperties {
	const Label = capitalize(label);
	const forms = prefix ? ` (${idForms(prefix)})` : '';
	const field: INodeProperties = {
		displayName: Label,
		name,
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		description:
			`The ${label}: pick it from the list, or give its ID${forms} ` +
			'or its Stripe Dashboard URL',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: `Select ${withArticle(label)}…`,
				typeOptions: { searchListMethod: searchMethodOf(label), searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: idExample(prefix),
				validation: [
					{
						type: 'regex',
						properties: {
							regex: idPattern(prefix),
							errorMessage: `Not ${withArticle(label)} ID: ${Label} IDs ${idRule(prefix)}`,
						},
					},
				],
			},
			{ displayName: 'By URL', name: 'url', type: 'string' },
		],
		...extra,
	};
	// The Dashboard page is the declaration's, which may come after this field.
	const byUrl = field.modes!.find((mode) => mode.name === 'url')!;
	whenDeclared(label, prefix, (target) => Object.assign(byUrl, urlModeOf(target)));
	TARGET_BY_NAME.set(name, { label, prefix });
	return field;
}

export const isLocatorValue = (value: unknown): value is LocatorValue =>
	typeof value === 'object' && value !== null && (value as { __rl?: unknown }).__rl === true;

/**
 * The ID in a field's value, whichever form it has: a plain string (old workflows, expressions),
 * By ID / From List, or By URL (the ID extracted, the link's test/live checked against the
 * credential's environment). The prefix itself is checked by the caller, as before the locators.
 */
export function locatorId(
	ctx: OperationContext,
	raw: unknown,
	label: string,
	prefix: IdPrefix,
): unknown {
	let value = raw;
	let fromUrl = false;
	if (isLocatorValue(raw)) {
		value = raw.value;
		fromUrl = raw.mode === 'url';
	}
	if (typeof value !== 'string') return value;
	const text = value.trim();
	// A pasted Dashboard link is read as By URL in any mode, so an expression can give one too.
	if (!fromUrl && !dashboardMode(text)) return text;
	const dashboard = findTarget(label, prefix)?.dashboard;
	const id = idFromDashboardUrl(text, prefix, dashboard);
	if (!id) {
		throw new NodeOperationError(
			ctx.fn.getNode(),
			`"${text.slice(0, 100)}" is not a Stripe Dashboard URL of ${withArticle(label)} ` +
				`(item ${ctx.itemIndex})`,
			{
				itemIndex: ctx.itemIndex,
				description:
					`Open the ${label} in the Stripe Dashboard and copy the address, e.g. ` +
					`https://dashboard.stripe.com/test/${dashboard ?? 'customers'}/` +
					`${idSample(prefix)}, or choose By ID.`,
			},
		);
	}
	const urlMode = dashboardMode(text);
	if (urlMode !== ctx.credentials.mode) {
		throw new NodeOperationError(
			ctx.fn.getNode(),
			`The ${label} URL is from the Stripe Dashboard's ${urlMode} mode, ` +
				`but the credential is for ${ctx.credentials.mode} mode (item ${ctx.itemIndex})`,
			{
				itemIndex: ctx.itemIndex,
				description:
					urlMode === 'test'
						? `The link has /test/ in it: that ${label} exists only in test mode. ` +
							'Use a live-mode link (without /test/) or a credential with a test key.'
						: `The link has no /test/ in it: that ${label} exists only in live mode. ` +
							'Use a test-mode link (…/test/…) or a credential with a live key.',
			},
		);
	}
	return id;
}
