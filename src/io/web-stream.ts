/**
 * Iterates a web ReadableStream through a reader (Safari cannot `for await` a
 * stream) and cancels it when the consumer stops early, which releases the
 * HTTP connection or the Blob behind it.
 */
export async function* iterateStream(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = stream.getReader();
  let finished = false;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    // Not awaited: cancelling an errored or stalled body must not hang the caller.
    if (!finished) reader.cancel().catch(() => {});
  }
}
