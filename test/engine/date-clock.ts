/**
 * A test's clock: only Date moves (to the moment given, running on from there at the real pace);
 * every timer stays real, so n8n's engine, the transport's pacing and the emulator's sockets run
 * as they do.
 */
const NOT_FAKED = [
	'hrtime',
	'nextTick',
	'performance',
	'queueMicrotask',
	'requestAnimationFrame',
	'cancelAnimationFrame',
	'requestIdleCallback',
	'cancelIdleCallback',
	'setImmediate',
	'clearImmediate',
	'setInterval',
	'clearInterval',
	'setTimeout',
	'clearTimeout',
] as const;

/** Runs `run` with Date at `ms` (milliseconds since the epoch) and on from there. */
export async function atTime<T>(ms: number, run: () => Promise<T>): Promise<T> {
	jest.useFakeTimers({ now: ms, doNotFake: [...NOT_FAKED], advanceTimers: true });
	try {
		return await run();
	} finally {
		jest.useRealTimers();
	}
}
