/** Waiting on a real n8n: polls until something is there, and reads an execution's status over REST. */

export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** The execution's status (`waiting`, `success`, …) as the editor sees it, or the HTTP status when n8n has none. */
export async function executionStatus(serverUrl: string, cookie: string, id: string): Promise<string> {
	const res = await fetch(`${serverUrl}/rest/executions/${id}`, { headers: { cookie } });
	const body = (await res.json()) as { data?: { status?: string } };
	return body.data?.status ?? `HTTP ${res.status}`;
}
