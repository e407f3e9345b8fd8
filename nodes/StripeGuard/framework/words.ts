/** Words for messages and field labels. */

/** "a customer", "an invoice". */
export const withArticle = (label: string) => `${/^[aeiou]/i.test(label) ? 'an' : 'a'} ${label}`;

export const capitalize = (text: string) => text.replace(/^\w/, (c) => c.toUpperCase());
