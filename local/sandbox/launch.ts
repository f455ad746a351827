/**
 * What `local/sandbox/run-built.mjs` (the runner behind `npm start` and `npm run chat`) hands the compiled entry
 * point: when it started, and whether it had to build first.
 */
export interface Launch {
  /** Epoch milliseconds when the runner's process started (npm's own start-up comes before it). */
  readonly startedAt: number;
  /** The build before the entry point ran: skipped when no source had changed. */
  readonly build?: { readonly built: boolean; readonly ms: number };
}

/** When the entry point is run directly with node (tests, or by hand): timed from this process's start, no build. */
export function directLaunch(): Launch {
  return { startedAt: performance.timeOrigin };
}

/** `Ready in 9.9 s (build 6.2 s + sandbox 3.7 s).`: what the figure covers, build included when there was one. */
export function readyLine(launch: Launch, now: number): string {
  const total = (now - launch.startedAt) / 1000;
  const seconds = (s: number) => `${s.toFixed(1)} s`;
  if (!launch.build) return `Ready in ${seconds(total)} (sandbox start only; npm start also builds first when a source changed).`;
  const sandbox = total - launch.build.ms / 1000;
  return launch.build.built
    ? `Ready in ${seconds(total)} (build ${seconds(launch.build.ms / 1000)} + sandbox ${seconds(sandbox)}).`
    : `Ready in ${seconds(total)} (no source changed since the last build, so no build; sandbox ${seconds(sandbox)}).`;
}
