import { installFunctionsCoreApi } from './functions-core-api';

// Runs before any test file loads app code: `@azure/functions` resolves `@azure/functions-core` lazily and caches the
// answer forever, so the hook has to be in place first (a vitest `resolve.alias` cannot reach that bundled require).
installFunctionsCoreApi();
