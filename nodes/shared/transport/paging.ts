/**
 * Lists and searches as the rest of the package reads them: awaited, a list call is its first
 * page; iterated (`for await`), it is every object, page after page, and asks for no page more
 * than the loop reads (a `break` stops it). Lists follow `starting_after` (or `ending_before`,
 * oldest first, when the call pages backwards), searches follow `next_page`.
 * Nothing is requested until the call is awaited or iterated.
 */
import type { StripeParams } from './encoding';
import type { WithLastResponse } from './request';

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

export class ListRequest<T, P extends Page<T> = StripeList<T>> implements PromiseLike<WithLastResponse<P>>, AsyncIterable<T> {
	private first?: Promise<WithLastResponse<P>>;

	constructor(
		private readonly fetchPage: (params: StripeParams) => Promise<WithLastResponse<P>>,
		private readonly params: StripeParams,
		private readonly kind: 'list' | 'search',
	) {}

	private firstPage(): Promise<WithLastResponse<P>> {
		this.first ??= this.fetchPage(this.params);
		return this.first;
	}

	then<A = WithLastResponse<P>, B = never>(onFulfilled?: ((page: WithLastResponse<P>) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): PromiseLike<A | B> {
		return this.firstPage().then(onFulfilled, onRejected);
	}

	async *[Symbol.asyncIterator](): AsyncIterator<T> {
		const backwards = this.kind === 'list' && typeof this.params.ending_before === 'string';
		let params = this.params;
		let page: P = await this.firstPage();
		for (;;) {
			if (!page || !Array.isArray(page.data)) throw new Error('Unexpected: Stripe API response does not have a well-formed `data` array.');
			yield* backwards ? [...page.data].reverse() : page.data;
			if (!page.has_more || page.data.length === 0) return;
			if (this.kind === 'search') {
				const next = (page as StripeSearchResult<T>).next_page;
				if (!next) throw new Error('Unexpected: Stripe API response does not have a well-formed `next_page` field, but `has_more` was true.');
				params = { ...params, page: next };
			} else {
				const edge = (backwards ? page.data[0] : page.data[page.data.length - 1]) as { id?: string };
				params = { ...params, [backwards ? 'ending_before' : 'starting_after']: edge.id };
			}
			page = await this.fetchPage(params);
		}
	}
}
