/**
 * Waiting on a real n8n: polls until something is there, and reads an execution's status over REST.
 */

export async function waitFor<T>(
	what: string,
	check: () => Promise<T | undefined> | T | undefined,
	timeoutMs = 60_000,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/**
 * The execution's status (`waiting`, `success`, …) as the
 * editor sees it, or the HTTP status when n8n has none.
 */
export async function executionStatus(
	serverUrl: string,
	cookie: string,
	id: string,
): Promise<string> {
	const res = await fetch(`${serverUrl}/rest/executions/${id}`, { headers: { cookie } });
	const body = (await res.json()) as { data?: { status?: string } };
	return body.data?.status ?? `HTTP ${res.status}`;
}

/**
 * The status once the execution has stopped running: a node that sends a request and then waits
 * can be heard from before n8n has stored the execution as waiting.
 */
export const settledStatus = (serverUrl: string, cookie: string, id: string) =>
	waitFor(`execution ${id} to stop running`, async () => {
		const status = await executionStatus(serverUrl, cookie, id);
		return ['new', 'running'].includes(status) ? undefined : status;
	});

/** An item of a node's output as n8n stores it. */
export type StoredItem = { json: Record<string, unknown> };

export interface StoredRun {
	status: string;
	runData: Record<string, Array<{ data?: { main: Array<StoredItem[] | null> } }>>;
}

/**
 * n8n's `flatted` form of the execution data (an array whose entry 0 is the root; every string
 * inside an object or array is the index of the entry holding the value), back to plain JSON.
 */
export function unflatten(text: string): unknown {
	const entries = JSON.parse(text) as unknown[];
	const revived = new Map<number, unknown>();
	const revive = (index: number): unknown => {
		const value = entries[index];
		if (typeof value !== 'object' || value === null) return value;
		if (revived.has(index)) return revived.get(index);
		const out: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
		revived.set(index, out);
		for (const [key, v] of Object.entries(value))
			(out as Record<string, unknown>)[key] = typeof v === 'string' ? revive(Number(v)) : v;
		return out;
	};
	return revive(0);
}

/**
 * The execution's status and every node's run data, read through n8n's REST API as the editor does.
 */
export async function executionRun(
	serverUrl: string,
	cookie: string,
	id: string,
): Promise<StoredRun> {
	const res = await fetch(`${serverUrl}/rest/executions/${id}`, { headers: { cookie } });
	if (!res.ok) throw new Error(`GET /rest/executions/${id}: ${res.status} ${await res.text()}`);
	const { data: execution } = (await res.json()) as {
		data: { status: string; data: string | object };
	};
	const data = (
		typeof execution.data === 'string' ? unflatten(execution.data) : execution.data
	) as { resultData: { runData: StoredRun['runData'] } };
	return { status: execution.status, runData: data.resultData.runData };
}

/**
 * The items a node put on each of its outputs in its
 * last run (e.g. Expired, Approved, Rejected, Failed).
 */
export function lastOutputs(run: StoredRun, node: string): StoredItem[][] {
	const runs = run.runData[node] ?? [];
	return (runs.at(-1)?.data?.main ?? []).map((items) => items ?? []);
}
