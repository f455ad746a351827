/** Types of build-if-changed.mjs (plain JavaScript: it runs before anything is compiled). */
export interface BuildResult {
  /** Whether tsc ran (false: no source had changed since the last successful build). */
  readonly built: boolean;
  /** How long the check (and the build, if any) took. */
  readonly ms: number;
  /** tsc's exit status; 0 when nothing had to be built. */
  readonly status: number;
}

export function sourcesHash(root: string): string;
export interface BuildOptions {
  /** Where the "Building…" line goes (default stderr). */
  readonly log?: (text: string) => void;
  /** tsc's own output: shown (default) or not (tests). */
  readonly tscOutput?: 'inherit' | 'ignore';
}

export function buildIfChanged(root: string, entry: string, options?: BuildOptions): Promise<BuildResult>;
