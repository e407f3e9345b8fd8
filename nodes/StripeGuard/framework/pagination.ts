/**
 * Lists through the transport's auto-paging (which follows `starting_after` or `next_page`, or
 * reads windows of `created` in parallel), asking for no more than needed and stopping as soon as
 * enough rows are in.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ListSize } from './fields';
import type { OperationContext } from './operation';
import { ListRequest, PAGE_SIZE } from '../../shared/transport';

export { PAGE_SIZE };

type ListCall<P> = (params: P & { limit: number }) => AsyncIterable<unknown>;

export interface Collected {
	rows: IDataObject[];
	/** Whether Stripe has more than `rows`; known when capped and for tools, false otherwise. */
	more: boolean;
}

export async function collectList<P extends object>(
	ctx: OperationContext,
	list: ListCall<P>,
	params: P,
	size: ListSize,
): Promise<Collected> {
	const rows: IDataObject[] = [];
	// Asking for one more than wanted tells whether the list goes on: for the Max Rows notice,
	// and for a model, which is told when Stripe has more than it got.
	const probe = size.capped || ctx.isTool;
	const target = probe ? size.wanted + 1 : size.wanted;
	const objects = list({ ...params, limit: Math.min(PAGE_SIZE, target) });
	// A list read in parallel then asks for no more pages than the target takes.
	for await (const object of objects instanceof ListRequest ? objects.upTo(target) : objects) {
		rows.push(object as IDataObject);
		if (rows.length >= target) break;
	}
	const more = probe && rows.length > size.wanted;
	if (more) rows.length = size.wanted;
	if (more && size.capped) {
		ctx.fn.addExecutionHints({
			message:
				`Stopped at ${ctx.isTool ? 'the tool limit' : 'Max Rows'} ` +
				`(${size.wanted}) for item ${ctx.itemIndex}: Stripe has more. ` +
				`Narrow the filters${ctx.isTool ? '' : ' or raise Max Rows'}.`,
			location: 'outputPane',
		});
	}
	return { rows, more };
}
