/**
 * Lists and searches as the rest of the package reads them: awaited, a list call is its first
 * page; iterated (`for await`), it is every object, page after page, and asks for no page more
 * than the loop reads (a `break` stops it). Lists follow `starting_after` (or `ending_before`,
 * oldest first, when the call pages backwards), searches follow `next_page`. A list that Stripe
 * filters by `created`, iterated from its start, is read in windows of `created`, several pages at
 * once, in the same order and each object once (windows.ts).
 * Nothing is requested until the call is awaited or iterated.
 */
import type { StripeParams } from './encoding';
import type { RequestOptions, WithLastResponse } from './request';
import { readWindows, windowRange, type Rank } from './windows';

export interface StripeList<T> {
	object: 'list';
	data: T[];
	has_more: boolean;
	url: string;
}

export interface StripeSearchResult<T> {
	object: 'search_result';
	data: T[];
	has_more: boolean;
	next_page: string | null;
	url: string;
	total_count?: number;
}

type Page<T> = StripeList<T> | StripeSearchResult<T>;

export class ListRequest<T, P extends Page<T> = StripeList<T>>
	implements PromiseLike<WithLastResponse<P>>, AsyncIterable<T>
{
	private first?: Promise<WithLastResponse<P>>;
	private want = Infinity;
	private concurrency?: number;
	/** Pages Stripe has answered for this list, windows included: what reading it cost. */
	pagesRead = 0;
	private readonly fetchPage: (
		params: StripeParams,
		options?: RequestOptions,
	) => Promise<WithLastResponse<P>>;

	constructor(
		fetchPage: (params: StripeParams, options?: RequestOptions) => Promise<WithLastResponse<P>>,
		private readonly params: StripeParams,
		private readonly kind: 'list' | 'search',
		/**
		 * Whether iterating may read windows of `created` in parallel (an endpoint that filters by it).
		 */
		private readonly windowed = false,
	) {
		this.fetchPage = async (params, options) => {
			const page = await fetchPage(params, options);
			this.pagesRead++;
			return page;
		};
	}

	/**
	 * Tells the iteration that no more than `count` objects will
	 * be read, so it asks for no more pages than that takes.
	 */
	upTo(count: number): this {
		this.want = count;
		return this;
	}

	/**
	 * Asks for at most `pages` pages at once when read in windows (20 otherwise): for lists whose
	 * objects are large (events carry their whole object), so what is in flight stays small.
	 */
	inFlightAtMost(pages: number): this {
		this.concurrency = pages;
		return this;
	}

	private firstPage(): Promise<WithLastResponse<P>> {
		this.first ??= this.fetchPage(this.params);
		return this.first;
	}

	then<A = WithLastResponse<P>, B = never>(
		onFulfilled?: ((page: WithLastResponse<P>) => A | PromiseLike<A>) | null,
		onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
	): PromiseLike<A | B> {
		return this.firstPage().then(onFulfilled, onRejected);
	}

	async *[Symbol.asyncIterator](): AsyncIterator<T> {
		for await (const [object] of this.read(true)) yield object;
	}

	/**
	 * Every object with its place in Stripe's order, handed on as pages arrive: for sums, which
	 * need no order, so nothing read ahead waits for its turn (memory stays at a few pages).
	 */
	inAnyOrder(): AsyncIterable<[T, Rank]> {
		return { [Symbol.asyncIterator]: () => this.read(false) };
	}

	private async *read(ordered: boolean): AsyncGenerator<[T, Rank]> {
		const range = this.windowed && !this.first ? windowRange(this.params) : undefined;
		if (range) {
			const fetchList = this.fetchPage as unknown as (
				params: StripeParams,
				options: RequestOptions,
			) => Promise<StripeList<T & { id: string }>>;
			yield* readWindows(fetchList, this.params, range, {
				want: this.want,
				ordered,
				concurrency: this.concurrency,
			});
			return;
		}
		let position = 0;
		for await (const object of this.pages()) yield [object, [0, position++]];
	}

	private async *pages(): AsyncGenerator<T> {
		const backwards = this.kind === 'list' && typeof this.params.ending_before === 'string';
		let params = this.params;
		let page: P = await this.firstPage();
		for (;;) {
			if (!page || !Array.isArray(page.data))
				throw new Error(
					'Unexpected: Stripe API response does not have a well-formed `data` array.',
				);
			yield* backwards ? [...page.data].reverse() : page.data;
			if (!page.has_more || page.data.length === 0) return;
			if (this.kind === 'search') {
				const next = (page as StripeSearchResult<T>).next_page;
				if (!next)
					throw new Error(
						'Unexpected: Stripe API response does not have a ' +
							'well-formed `next_page` field, but `has_more` was true.',
					);
				params = { ...params, page: next };
			} else {
				const edge = (backwards ? page.data[0] : page.data[page.data.length - 1]) as {
					id?: string;
				};
				params = { ...params, [backwards ? 'ending_before' : 'starting_after']: edge.id };
			}
			page = await this.fetchPage(params);
		}
	}
}
