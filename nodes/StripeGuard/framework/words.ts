/** Words for messages and field labels. */

/** "a customer", "an invoice". */
export const withArticle = (label: string) => `${/^[aeiou]/i.test(label) ? 'an' : 'a'} ${label}`;

export const capitalize = (text: string) => text.replace(/^\w/, (c) => c.toUpperCase());

/** What IDs with this prefix look like, after "IDs": "start with cus_"; a '' prefix has none. */
export const idRule = (prefix: string) =>
	prefix ? `start with ${prefix}` : 'have no prefix: letters, digits, _ and -';

/** An ID with this prefix in a help text or placeholder: "cus_…"; a code where there is none. */
export const idExample = (prefix: string) => (prefix ? `${prefix}…` : 'SUMMER25');
