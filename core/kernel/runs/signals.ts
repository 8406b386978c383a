/**
 * First SIGINT/SIGTERM: abort the run's signal so the trainer stops at the next step
 * boundary, checkpoints and returns (the run is then marked `interrupted`, resumable).
 * Second signal: the user means it — mark the manifest and exit at once.
 */
export function handleStopSignals(controller: AbortController, onForcedExit: () => void, notice: (text: string) => void): () => void {
  let count = 0;
  const handler = (signal: NodeJS.Signals): void => {
    count += 1;
    if (count === 1) {
      notice(`\n${signal}: stopping after the current step and saving a checkpoint (send again to exit now).\n`);
      controller.abort(new Error(`received ${signal}`));
      return;
    }
    onForcedExit();
    process.exit(130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
