/**
 * withoutSecrets, stated as its guarantee over any JSON of no known type: the result is what
 * JSON.stringify's own replacer leaves when it drops the keys Stripe's definitions hold a secret
 * under wherever they appear (at every depth, a key named "__proto__" included), the input is never
 * changed, and what holds no secret is handed on as is.
 */
import fc from 'fast-check';

import { withoutSecrets } from '../../nodes/shared/privacy/privacy';
import { ALWAYS } from '../../nodes/shared/privacy/stripe-fields';

const SECRETS = new Set(Object.keys(ALWAYS).filter((k) => ALWAYS[k] === 'secret'));
const key = fc.oneof(
	fc.constantFrom(...SECRETS, '__proto__', 'id', 'data', 'object'),
	fc.string({ maxLength: 6 }),
);
const { json } = fc.letrec((tie) => ({
	json: fc.oneof(
		{ depthSize: 'small' },
		fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
		tie('list'),
		tie('object'),
	),
	list: fc.array(tie('json'), { maxLength: 4 }),
	// Built from entries, as JSON.parse builds objects: "__proto__" becomes an own key.
	object: fc
		.array(fc.tuple(key, tie('json')), { maxLength: 5 })
		.map((entries) => Object.fromEntries(entries)),
}));

test(
	'property: every secret key goes, at every depth; ' +
		'everything else stays, unchanged and uncopied',
	() => {
		fc.assert(
			fc.property(json, (value) => {
				const before = JSON.stringify(value);
				const oracle = JSON.stringify(value, (k, v: unknown) => (SECRETS.has(k) ? undefined : v));
				const clean = withoutSecrets(value);
				expect(JSON.stringify(clean)).toBe(oracle);
				expect(JSON.stringify(value)).toBe(before);
				if (oracle === before) expect(clean).toBe(value);
			}),
			{ numRuns: 2000 },
		);
	},
);
