/**
 * Long lists read in windows of `created`, several at once. Stripe's lists are cursor-paged, one
 * page after another; lists that Stripe filters by `created` can be cut into disjoint ranges of
 * seconds, each paged on its own, so that many pages are in flight under the key's pacer.
 *
 * - A snapshot as of the first page, by Stripe's clock: the first window is the caller's range
 *   and pages on from its first page by cursor, as sequential paging does; every other window is
 *   cut below an object already read. Objects created during the read are newer than the first
 *   page, so no window reaches them: none is read, none twice.
 * - Windows partition the caller's range (its own `created` filter) by whole seconds, so every
 *   object is in exactly one window; objects of one second, however many, stay in one window and
 *   are paged by its cursor.
 * - Objects come out in Stripe's order (newest first): windows are ordered and handed on one after
 *   another, pages read ahead wait in a bounded buffer. Sums can take pages as they arrive
 *   (`ordered: false`), each object with its rank in Stripe's order.
 * - Adaptive, from the density that pages show, never from the account's age: the last window
 *   reaches back in pieces twice as long as the one before, so a few empty pieces at most find
 *   where the account begins; a window with far more left than the others is cut into pieces.
 * - Early stop: the caller's `break` ends the read and pages still waiting for their turn are not
 *   sent; with a known number wanted (Max Rows, Limit), no more is asked for than that and a page.
 */
import type { StripeParams } from './encoding';
import type { RequestOptions } from './request';

/**
 * List endpoints that Stripe filters by `created` (a range or an exact second), whose lists come
 * newest first. Tests hold this against Stripe's definitions.
 */
export const WINDOWED_LISTS: ReadonlySet<string> = new Set([
	'/v1/balance_transactions',
	'/v1/charges',
	'/v1/checkout/sessions',
	'/v1/coupons',
	'/v1/customers',
	'/v1/disputes',
	'/v1/events',
	'/v1/invoices',
	'/v1/payment_intents',
	'/v1/payouts',
	'/v1/prices',
	'/v1/products',
	'/v1/refunds',
	'/v1/subscriptions',
]);

/**
 * Pages asked for at once (in flight or waiting for the pacer): an endpoint's 24/s at ~450 ms a
 * page (Stripe's page of 100) keeps 11 in flight, and each window has one page at a time, so that
 * many windows with room to spare keep the pacer from idling (measured with `npm run bench`: with
 * 12, the pacer sat idle for 150 ms every eight requests).
 */
export const WINDOW_CONCURRENCY = 20;
/**
 * Pages read and not yet handed on, in flight included: what a read may hold. In Stripe's order,
 * pages read ahead wait for the windows before theirs; when the caller says how many objects it
 * takes (and so holds them all anyway), as many pages as that.
 */
const BUFFER_PAGES = { ordered: 6 * WINDOW_CONCURRENCY, anyOrder: 2 * WINDOW_CONCURRENCY };
/** How much more than was read so far the pieces reaching back may expect to hold. */
const REACH_BACK_GROWTH = 8;
/**
 * What windows may cost beyond the sequential minimum: pages that are not full. A window ends with
 * at most one (its last, one cut short by a split, or an empty one where a piece reaches into
 * seconds with nothing), so the pages not full read so far plus the windows still open bound what
 * a read will have cost; a cut is made only while that stays within
 * 2 + 2 × (PIECES_BASE + PIECES_PER_PAGE × pages read). So requests ≤
 * (⌈N/100⌉ + 2 + 2 × PIECES_BASE) ÷ (1 − 2 × PIECES_PER_PAGE), the sequential minimum plus 5 %
 * and 43 (test/engine/windows.test.ts holds reads to it).
 * Counting what windows cost rather than how many were cut leaves room to keep cutting a long read
 * (measured: MRR over 50,000 subscriptions had spent a budget of windows by its 200th page, and
 * read its last year one page at a time).
 */
export const PIECES_BASE = WINDOW_CONCURRENCY;
export const PIECES_PER_PAGE = 0.025;
/** A window is split only into parts expected to hold at least this many pages each. */
const MIN_SPLIT_PAGES = 2;

/**
 * 2010-01-01, before Stripe's first object: pieces reaching back stop guessing there instead of
 * cutting empty ranges back to 1970. The last piece still reaches the range's own lower bound
 * (or none), so this limits what is guessed, never what is read.
 */
const BEFORE_STRIPE = 1_262_304_000;

/** Stripe's default page size when a list does not say. */
const DEFAULT_LIMIT = 10;

/** The seconds a windowed read covers: a bound is absent when the caller set none. */
export interface CreatedRange {
	gte?: number;
	lte?: number;
}

type Page<T> = { data: T[]; has_more: boolean };

interface Window<T> {
	gte?: number;
	/**
	 * Absent for the first window when the caller set no upper bound: its cursor keeps it to what
	 * existed when its first page was read.
	 */
	lte?: number;
	/** The last object read: the cursor, and the top of what is left. */
	cursor?: string;
	first?: number;
	last?: number;
	count: number;
	done: boolean;
	fetching: boolean;
	pages: Array<Arrived<T>>;
	/** Before its first page: the objects expected from the density of the window it was cut from. */
	expected?: number;
}

const seconds = (value: unknown): number | undefined => {
	if (value instanceof Date) return Math.floor(value.getTime() / 1000);
	const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
	return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
};

/**
 * The range a list's parameters ask for; undefined when the list must be read as one cursor (it
 * already carries a cursor, asks for one exact second, or has a `created` this reader does not
 * understand, which Stripe then judges).
 */
export function windowRange(params: StripeParams): CreatedRange | undefined {
	if (params.starting_after !== undefined || params.ending_before !== undefined) return undefined;
	const created = params.created;
	if (created === undefined || created === null) return {};
	if (typeof created !== 'object' || Array.isArray(created) || created instanceof Date)
		return undefined;
	const bounds: Record<string, number> = {};
	for (const [key, value] of Object.entries(created as Record<string, unknown>)) {
		if (value === undefined) continue;
		const n = seconds(value);
		if (!['gt', 'gte', 'lt', 'lte'].includes(key) || n === undefined) return undefined;
		bounds[key] = n;
	}
	const lows = [bounds.gte, bounds.gt === undefined ? undefined : bounds.gt + 1].filter(
		(n): n is number => n !== undefined,
	);
	const highs = [bounds.lte, bounds.lt === undefined ? undefined : bounds.lt - 1].filter(
		(n): n is number => n !== undefined,
	);
	return {
		...(lows.length ? { gte: Math.max(...lows) } : {}),
		...(highs.length ? { lte: Math.min(...highs) } : {}),
	};
}

export interface WindowedReadOptions {
	/** The most objects the caller will take; Infinity for all. */
	want: number;
	/**
	 * Stripe's order (newest first), or pages as they arrive, each object with its place in
	 * Stripe's order (for sums, which need no order: nothing waits for its turn).
	 */
	ordered: boolean;
	concurrency?: number;
}

/**
 * An object's place in Stripe's order: its window's top second (newest first), then its position
 * in the window.
 */
export type Rank = readonly [number, number];

/** Negative when `a` comes before `b` in Stripe's order. */
export const compareRank = (a: Rank, b: Rank): number => b[0] - a[0] || a[1] - b[1];

interface Arrived<T> {
	window: Window<T>;
	/** The position of the page's first object in its window. */
	offset: number;
	data: T[];
}

/**
 * Every object of `range` matching `params` (its other filters, expansions, page size), each
 * once with its rank, reading windows concurrently through `fetchPage` (the transport, which
 * paces).
 */
export async function* readWindows<T extends Listed>(
	fetchPage: FetchPage<T>,
	params: StripeParams,
	range: CreatedRange,
	options: WindowedReadOptions,
): AsyncGenerator<[T, Rank]> {
	const read = new WindowedRead(fetchPage, params, range, options);
	try {
		read.schedule();
		for (;;) {
			read.throwFailure();
			const page = read.nextPage();
			if (page) {
				read.handOn(page);
				const top = page.window.lte ?? Number.MAX_SAFE_INTEGER;
				for (let k = 0; k < page.data.length; k++) yield [page.data[k], [top, page.offset + k]];
				continue;
			}
			if (read.finished()) return;
			read.keepMoving();
			await read.nextArrival();
		}
	} finally {
		read.stopped = true;
	}
}

type Listed = { id: string; created?: unknown };
type FetchPage<T> = (params: StripeParams, options: RequestOptions) => Promise<Page<T>>;

/** Where windows may be cut, and how dense the window cut is (for what the pieces expect). */
interface Cut {
	index: number;
	tops: number[];
	density: number;
}

/** What the rules for cutting windows read of a read in progress. */
interface Progress {
	/** The page size. */
	limit: number;
	concurrency: number;
	inFlight: number;
	pagesRead: number;
	/** Objects wanted beyond those already promised. */
	stillWanted: number;
}

/**
 * One windowed read in progress: its windows in Stripe's order, the pages read and not yet handed
 * on, and the counters that bound what it asks for. `readWindows` drives it.
 */
class WindowedRead<T extends Listed> {
	/** Ordered newest first; a window leaves once done and handed on. */
	readonly windows: Array<Window<T>>;
	stopped = false;
	private failure: { error: unknown } | undefined;
	/** Pages in the order they arrived (any-order reads hand them on so). */
	private readonly arrived: Array<Arrived<T>> = [];
	private readonly limit: number;
	private readonly concurrency: number;
	private readonly bufferPages: number;
	private readonly rest: StripeParams;
	private readonly userRange: Record<string, unknown>;
	private inFlight = 0;
	private bufferedPages = 0;
	private bufferedObjects = 0;
	private handedOn = 0;
	private pagesRead = 0;
	private notFull = 0;
	private wake: (() => void) | undefined;

	constructor(
		private readonly fetchPage: FetchPage<T>,
		params: StripeParams,
		private readonly range: CreatedRange,
		private readonly options: WindowedReadOptions,
	) {
		this.concurrency = options.concurrency ?? WINDOW_CONCURRENCY;
		this.limit = Number(params.limit ?? DEFAULT_LIMIT);
		this.bufferPages = bufferPagesFor(options, this.limit);
		const { created: _created, ...rest } = params;
		this.rest = rest;
		this.userRange = (
			typeof params.created === 'object' && params.created !== null ? params.created : {}
		) as Record<string, unknown>;
		this.windows = [newWindow<T>(range)];
	}

	// The budget of requests: what is promised to the caller and what may still be asked for.

	/**
	 * Objects already counted toward what the caller wants: handed on, buffered, or a page per
	 * request in flight.
	 */
	private promised(): number {
		return this.handedOn + this.bufferedObjects + this.inFlight * this.limit;
	}

	/** Whether one more page may be asked for, beside the head's own next page. */
	private room(): boolean {
		return (
			this.inFlight < this.concurrency &&
			this.inFlight + this.bufferedPages < this.bufferPages &&
			this.promised() < this.options.want
		);
	}

	private progress(): Progress {
		return {
			limit: this.limit,
			concurrency: this.concurrency,
			inFlight: this.inFlight,
			pagesRead: this.pagesRead,
			stillWanted: this.options.want - this.promised(),
		};
	}

	// Asking for pages.

	/** Asks for every page there is room for, then cuts windows while requests can be added. */
	schedule(): void {
		if (this.stopped || this.failure) return;
		this.windows.forEach((w, i) => {
			if (w.done || w.fetching) return;
			// The head may fetch whenever the caller has nothing of it to read (unless it has all it
			// wants): the read moves on.
			const headIdle = i === 0 && w.pages.length === 0 && this.promised() < this.options.want;
			if (headIdle || this.room()) this.start(w);
		});
		while (this.room() && this.split()) {
			for (const w of this.windows)
				if (!w.done && !w.fetching && w.count === 0 && this.room()) this.start(w);
		}
	}

	/** With nothing to hand on: asks for what it may, and for a page anyway if none is in flight. */
	keepMoving(): void {
		this.schedule();
		// A caller that reads on past what it said it wants still gets the rest.
		if (this.inFlight === 0 && !this.failure) this.start(this.windows.find((w) => !w.done)!);
	}

	private start(w: Window<T>): void {
		w.fetching = true;
		this.inFlight++;
		const params = {
			...this.rest,
			created: createdFilter(this.userRange, this.range, w),
			...(w.cursor ? { starting_after: w.cursor } : {}),
		};
		// Asked for once the read has stopped (a break, enough rows), a page still waiting for its
		// turn is not sent.
		this.fetchPage(params, { unwanted: () => this.stopped })
			.then((page) => {
				if (!this.stopped) this.received(w, page);
			})
			.catch((error: unknown) => {
				this.failure ??= { error };
			})
			.finally(() => {
				w.fetching = false;
				this.inFlight--;
				this.schedule();
				const resume = this.wake;
				this.wake = undefined;
				resume?.();
			});
	}

	private received(w: Window<T>, page: Page<T>): void {
		if (!page || !Array.isArray(page.data))
			throw new Error('Unexpected: Stripe API response does not have a well-formed `data` array.');
		let data = page.data;
		let done = !page.has_more || data.length === 0;
		// The window may have been split while this page was on its way: what fell below belongs to
		// the new window.
		const below = w.gte === undefined ? -1 : data.findIndex((o) => createdOf(o) < w.gte!);
		if (below >= 0) {
			data = data.slice(0, below);
			done = true;
		}
		this.pagesRead++;
		if (data.length < this.limit) this.notFull++;
		w.done = done;
		if (data.length === 0) return;
		w.first ??= createdOf(data[0]);
		w.last = createdOf(data[data.length - 1]);
		w.cursor = data[data.length - 1].id;
		const entry = { window: w, offset: w.count, data };
		w.count += data.length;
		w.pages.push(entry);
		this.arrived.push(entry);
		this.bufferedPages++;
		this.bufferedObjects += data.length;
	}

	/** Resolves when a page asked for has arrived (or failed). */
	nextArrival(): Promise<void> {
		return new Promise<void>((resolve) => (this.wake = resolve));
	}

	throwFailure(): void {
		if (this.failure) throw this.failure.error;
	}

	// Cutting windows.

	/** Cuts the last window reaching back, else a window with far more left than the others. */
	private split(): boolean {
		return (
			this.cut(reachBack(this.windows, this.progress())) ||
			this.cut(balance(this.windows, this.progress()))
		);
	}

	/**
	 * Windows cut from the window at `index`, below what it keeps, newest first; the last one
	 * reaches its lower bound. No more than the budget allows: false when it allows none.
	 */
	private cut(cut: Cut | undefined): boolean {
		if (!cut) return false;
		const allowed = piecesAllowed(this.windows, this.pagesRead, this.notFull);
		const tops = cut.tops.slice(0, Math.max(0, allowed));
		if (tops.length === 0) return false;
		const w = this.windows[cut.index];
		const pieces = tops.map((top, k) => {
			const gte = k + 1 < tops.length ? tops[k + 1] + 1 : w.gte;
			return newWindow<T>({ gte, lte: top }, gte === undefined ? 0 : cut.density * (top - gte + 1));
		});
		w.gte = tops[0] + 1;
		this.windows.splice(cut.index + 1, 0, ...pieces);
		return true;
	}

	// Handing pages on, in Stripe's order or as they arrived.

	/** The next page to hand on: the head window's in Stripe's order, else the first that arrived. */
	nextPage(): Arrived<T> | undefined {
		for (;;) {
			const head = this.windows[0];
			if (!head) return undefined;
			const page = this.options.ordered ? head.pages[0] : this.arrived[0];
			if (page) {
				page.window.pages.splice(page.window.pages.indexOf(page), 1);
				this.arrived.splice(this.arrived.indexOf(page), 1);
				return page;
			}
			if (!this.dropDoneWindows()) return undefined;
		}
	}

	/** Done windows leave the front; in any order, done ones anywhere may go. False if none left. */
	private dropDoneWindows(): boolean {
		const before = this.windows.length;
		for (let j = this.windows.length - 1; j >= 0; j--) {
			const w = this.windows[j];
			if (w.done && !w.fetching && w.pages.length === 0 && (j === 0 || !this.options.ordered))
				this.windows.splice(j, 1);
		}
		return this.windows.length !== before;
	}

	/** Counts `page` as handed on, which makes room for more. */
	handOn(page: Arrived<T>): void {
		this.bufferedPages--;
		this.bufferedObjects -= page.data.length;
		this.handedOn += page.data.length;
		this.schedule();
	}

	/** Every window read and handed on. */
	finished(): boolean {
		return this.windows.length === 0;
	}
}

// Planning: a read's first window, its buffer, and the `created` each window asks for.

function newWindow<T>(bounds: CreatedRange, expected?: number): Window<T> {
	return {
		...bounds,
		count: 0,
		done: false,
		fetching: false,
		pages: [],
		...(expected === undefined ? {} : { expected }),
	};
}

function bufferPagesFor(options: WindowedReadOptions, limit: number): number {
	if (!options.ordered) return BUFFER_PAGES.anyOrder;
	const wanted = Number.isFinite(options.want) ? Math.ceil(options.want / limit) : 0;
	return Math.max(BUFFER_PAGES.ordered, wanted);
}

/**
 * The caller's own `created` (`userRange`) where a window's bound is the caller's, `gte`/`lte`
 * where the window has its own.
 */
function createdFilter<T>(
	userRange: Record<string, unknown>,
	range: CreatedRange,
	w: Window<T>,
): StripeParams | undefined {
	const created: StripeParams = { ...userRange };
	if (w.gte !== range.gte) {
		delete created.gt;
		created.gte = w.gte;
	}
	if (w.lte !== range.lte) {
		delete created.lt;
		created.lte = w.lte;
	}
	return Object.keys(created).length ? created : undefined;
}

function createdOf(object: Listed): number {
	if (typeof object?.created !== 'number')
		throw new Error('Unexpected: an object in a Stripe list has no numeric `created`.');
	return object.created;
}

// The budget of cuts (see PIECES_BASE).

/** How many pieces may be cut now: what not-full pages and open windows leave of the budget. */
function piecesAllowed<T>(windows: Array<Window<T>>, pagesRead: number, notFull: number): number {
	const open = windows.filter((x) => !x.done).length;
	return Math.floor(2 + 2 * (PIECES_BASE + PIECES_PER_PAGE * pagesRead)) - notFull - open;
}

// Where to cut: the reach-back guess, and balancing a window with far more left.

/**
 * The last window, which reaches back to the range's lower bound (or without one), once its
 * pages show the local density: below twice the seconds its pages took, pieces twice as long as
 * the one before, one per request that can be added, the last one down to the bound. Pieces
 * beyond the account's first object come back empty: a few requests, whatever its age. Objects
 * all of one second say nothing of the seconds around: then one piece takes all below it.
 */
function reachBack<T>(windows: Array<Window<T>>, read: Progress): Cut | undefined {
	const index = windows.length - 1;
	const w = windows[index];
	if (!w || w.done || w.count === 0) return undefined;
	const last = w.last!;
	const unit = w.first! - last + 1;
	if (unit === 1) {
		if (w.gte !== undefined && last - 1 < w.gte) return undefined;
		return { index, tops: [last - 1], density: 0 };
	}
	const density = w.count / unit;
	const floor = Math.max(BEFORE_STRIPE, w.gte ?? 0);
	if (last - 2 * unit < floor) return undefined;
	const tops: number[] = [last - 2 * unit];
	let expected = 2 * unit * density - (w.fetching ? read.limit : 0);
	// A few times what has been read is what the pieces may expect: no more is known.
	const assumed = Math.min(
		read.stillWanted,
		REACH_BACK_GROWTH * Math.max(read.concurrency, read.pagesRead) * read.limit,
	);
	// The first piece: twice the window's page, or half of all read so far when that is more.
	const first = Math.max(2 * unit, Math.ceil((read.pagesRead * read.limit) / 2 / density));
	for (
		let span = first;
		tops.length < read.concurrency - read.inFlight && expected < assumed;
		span *= 2
	) {
		const top = tops[tops.length - 1] - span;
		if (top < floor) break;
		tops.push(top);
		expected += span * density;
	}
	return { index, tops, density };
}

/**
 * Objects a window with a lower bound is expected to hold below the page it has in flight:
 * its density so far over the seconds left.
 */
function expectedLeft<T>(w: Window<T>, read: Progress): number {
	if (w.done || w.gte === undefined) return 0;
	if (w.last === undefined || w.first === undefined) return w.expected ?? 0;
	const density = w.count / (w.first - w.last + 1);
	return Math.min(density * (w.last - w.gte + 1) - (w.fetching ? read.limit : 0), read.stillWanted);
}

/**
 * A window with far more left than the others (twice the fair share of the requests that can be
 * in flight, and a few pages), cut into pieces of about that share, one per request that can be
 * added: the window keeps its page in flight and the first piece.
 */
function balance<T>(windows: Array<Window<T>>, read: Progress): Cut | undefined {
	const lefts = windows.map((w) => expectedLeft(w, read));
	const share = Math.max(
		MIN_SPLIT_PAGES * read.limit,
		lefts.reduce((a, b) => a + b, 0) / read.concurrency,
	);
	// Only windows that have shown their density are cut; the last one reaches back instead.
	const readLefts = windows.map((w, k) => (w.count > 0 && k < windows.length - 1 ? lefts[k] : 0));
	const index = readLefts.indexOf(Math.max(...readLefts));
	const left = readLefts[index];
	if (left < 2 * share) return undefined;
	const w = windows[index];
	const density = w.count / (w.first! - w.last! + 1);
	const pieces = Math.min(read.concurrency - read.inFlight + 1, Math.floor(left / share));
	const span = Math.max(1, Math.floor(left / pieces / density));
	const tops: number[] = [];
	for (
		let top = w.last! - Math.ceil((w.fetching ? read.limit : 0) / density) - span;
		tops.length < pieces - 1 && top >= w.gte!;
		top -= span
	)
		tops.push(top);
	if (tops.length === 0) return undefined;
	return { index, tops, density };
}
