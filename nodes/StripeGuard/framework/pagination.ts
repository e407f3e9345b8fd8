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

export async function collectList<P extends object>(
	ctx: OperationContext,
	list: ListCall<P>,
	params: P,
	size: ListSize,
): Promise<IDataObject[]> {
	const rows: IDataObject[] = [];
	// Asking for one more than wanted tells us whether the cap cut the list short.
	const target = size.capped ? size.wanted + 1 : size.wanted;
	const objects = list({ ...params, limit: Math.min(PAGE_SIZE, target) });
	// A list read in parallel then asks for no more pages than the target takes.
	for await (const object of objects instanceof ListRequest ? objects.upTo(target) : objects) {
		rows.push(object as IDataObject);
		if (rows.length >= target) break;
	}
	if (size.capped && rows.length > size.wanted) {
		rows.length = size.wanted;
		ctx.fn.addExecutionHints({
			message:
				`Stopped at ${ctx.isTool ? 'the tool limit' : 'Max Rows'} ` +
				`(${size.wanted}) for item ${ctx.itemIndex}: Stripe has more. ` +
				`Narrow the filters${ctx.isTool ? '' : ' or raise Max Rows'}.`,
			location: 'outputPane',
		});
	}
	return rows;
}
