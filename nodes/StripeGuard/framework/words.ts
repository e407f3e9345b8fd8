/** Words for messages and field labels. */

import { prefixesOf, type IdPrefix } from '../../shared/ids';

/** "a customer", "an invoice". */
export const withArticle = (label: string) => `${/^[aeiou]/i.test(label) ? 'an' : 'a'} ${label}`;

export const capitalize = (text: string) => text.replace(/^\w/, (c) => c.toUpperCase());

/** The prefixes in words: "cus_", "du_ or dp_". */
export const prefixWords = (prefix: IdPrefix) => prefixesOf(prefix).join(' or ');

/** What IDs with this prefix look like, after "IDs": "start with cus_"; a '' prefix has none. */
export const idRule = (prefix: IdPrefix) =>
	prefix ? `start with ${prefixWords(prefix)}` : 'have no prefix: letters, digits, _ and -';

/**
 * An ID with this prefix in a placeholder: "cus_…" (of several prefixes, the first); a code where
 * there is none.
 */
export const idExample = (prefix: IdPrefix) => (prefix ? `${prefixesOf(prefix)[0]}…` : 'SUMMER25');

/** The IDs this prefix allows, in a help text: "cus_…", "du_… or dp_…". */
export const idForms = (prefix: IdPrefix) =>
	prefixesOf(prefix)
		.map((p) => `${p}…`)
		.join(' or ');

/** A whole ID for an example in an error's description: "cus_NffrFeUfNV2Hib", or a code. */
export const idSample = (prefix: IdPrefix) =>
	prefix ? `${prefixesOf(prefix)[0]}NffrFeUfNV2Hib` : idExample(prefix);
