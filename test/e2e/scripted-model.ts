/**
 * An OpenAI-compatible chat-completions server on 127.0.0.1 that plays a script, standing in for
 * the model behind n8n's AI Agent: each turn sees the request (tools, tool results so far) and
 * answers with tool calls or a final message.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
	messages: Array<{ role: string; content?: string | null; tool_call_id?: string }>;
	tools?: Array<{ function: { name: string } }>;
}

export type Turn =
	| { toolCalls: Array<{ name: string; arguments: Record<string, unknown> }> }
	| { answer: string };

export async function startScriptedModel(script: (request: ChatRequest, turn: number) => Turn) {
	const requests: ChatRequest[] = [];
	const server = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
				res
					.writeHead(404, { 'Content-Type': 'application/json' })
					.end(JSON.stringify({ error: { message: `not scripted: ${req.method} ${req.url}` } }));
				return;
			}
			const request = JSON.parse(body) as ChatRequest;
			requests.push(request);
			const turn = script(request, requests.length - 1);
			const message =
				'answer' in turn
					? { role: 'assistant', content: turn.answer }
					: {
							role: 'assistant',
							content: null,
							tool_calls: turn.toolCalls.map((call, i) => ({
								id: `call_${requests.length}_${i}`,
								type: 'function',
								function: { name: call.name, arguments: JSON.stringify(call.arguments) },
							})),
						};
			res.writeHead(200, { 'Content-Type': 'application/json' }).end(
				JSON.stringify({
					id: `chatcmpl-${requests.length}`,
					object: 'chat.completion',
					created: Math.floor(Date.now() / 1000),
					model: 'scripted',
					choices: [{ index: 0, message, finish_reason: 'answer' in turn ? 'stop' : 'tool_calls' }],
					usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
				}),
			);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/v1`,
		requests,
		stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

/** The tool of the request whose name contains `part` (n8n names tools after their nodes). */
export const toolNamed = (request: ChatRequest, part: string) => {
	const tool = request.tools?.find((t) => t.function.name.includes(part));
	if (!tool)
		throw new Error(
			`the agent offered no tool like ${part}: ` +
				`${request.tools?.map((t) => t.function.name).join(', ')}`,
		);
	return tool.function.name;
};
