/**
 * The MRR report counts paying customers by 64-bit fingerprints of their IDs instead of holding
 * the IDs (flat memory). The guarantee, stated against a plain Set of the IDs themselves.
 */
import fc from 'fast-check';

import { DistinctCount } from '../../nodes/StripeGuard/reports/common';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'.split('');
const customerId = fc
	.array(fc.constantFrom(...BASE62), { minLength: 14, maxLength: 24 })
	.map((cs) => `cus_${cs.join('')}`);

test(
	'property: the count equals the number of distinct IDs, ' +
		'repeats and near-identical IDs included',
	() => {
		fc.assert(
			fc.property(
				fc.array(customerId, { maxLength: 300 }),
				fc.array(fc.nat(), { maxLength: 300 }),
				(ids, repeats) => {
					// Repeats of earlier IDs (a customer with several
					// subscriptions) and one-character neighbours.
					const all = [
						...ids,
						...repeats.filter(() => ids.length > 0).map((r) => ids[r % ids.length]),
						...ids.map((id) => `${id.slice(0, -1)}${id.endsWith('a') ? 'b' : 'a'}`),
					];
					const count = new DistinctCount();
					for (const id of all) count.add(id);
					expect(count.count()).toBe(new Set(all).size);
				},
			),
			{ numRuns: 300 },
		);
	},
);

test('200,000 distinct IDs that differ in one place are all told apart', () => {
	const count = new DistinctCount();
	for (let i = 0; i < 200_000; i++) count.add(`cus_${i.toString(36).padStart(14, '0')}`);
	for (let i = 0; i < 200_000; i += 7) count.add(`cus_${i.toString(36).padStart(14, '0')}`);
	expect(count.count()).toBe(200_000);
});
