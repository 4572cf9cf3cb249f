// Keeping a page live: reload its data when new blocks arrive.

/**
 * Runs `load(lastBlock, isStopped)` on new blocks, one at a time, at most
 * every `minMs`; returns the stop. A load must check `isStopped()` after each
 * await: once the page is left it must not draw or allocate anything.
 */
export function onNewBlocks(ctx, load, minMs = 0) {
  let running = false;
  let lastRun = 0;
  let stopped = false;
  const isStopped = () => stopped;
  const run = async () => {
    if (running || stopped || Date.now() - lastRun < minMs) return;
    running = true;
    lastRun = Date.now();
    try {
      await load(ctx.recent.last, isStopped);
    } catch (e) {
      if (!stopped) ctx.fail(e);
    } finally {
      running = false;
    }
  };
  const unsubscribe = ctx.recent.subscribe(() => { run(); });
  return () => { stopped = true; unsubscribe(); };
}
