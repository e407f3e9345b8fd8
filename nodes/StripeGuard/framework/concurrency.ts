/**
 * Runs `work` for indexes 0..count-1 with at most `concurrency` at once, and returns the results
 * in index order. After a failure no new work starts; what is running finishes, and the failure
 * of the lowest index is thrown (as a sequential loop would have thrown it).
 */
export async function mapInOrder<T>(
	count: number,
	concurrency: number,
	work: (index: number) => Promise<T>,
): Promise<T[]> {
	const results = new Array<T>(count);
	let nextIndex = 0;
	type Failure = { index: number; error: unknown };
	const state: { failed?: Failure } = {};
	const worker = async () => {
		while (!state.failed && nextIndex < count) {
			const index = nextIndex++;
			try {
				results[index] = await work(index);
			} catch (error) {
				// Another worker may have failed meanwhile (the loop condition's narrowing does not know).
				const current = state.failed as Failure | undefined;
				if (!current || index < current.index) state.failed = { index, error };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
	if (state.failed) throw state.failed.error;
	return results;
}
