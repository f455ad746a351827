import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { AzureError } from './azure-error';

/**
 * Pages read from one ARM list at most. ARM pages hold 50 to 1000 items and a scope holds at most a few thousand
 * connections (100 per gateway), so a list that needs more pages is broken or hostile: it is stopped, not followed.
 */
export const MAX_ARM_LIST_PAGES = 200;

function offOrigin(): AzureError {
  return new AzureError(
    'Unexpected',
    'Azure answered with a link to another host, so I stopped reading the answer (the bot sends its Azure credentials only to Azure Resource Manager).',
    { operation: 'follow a list to its next page' },
    'Try again; if it keeps happening, give the time to the bot operators.',
  );
}

function tooManyPages(operation: string): AzureError {
  return new AzureError('Unexpected', `Azure kept answering with more pages while I tried to ${operation}, so I stopped after ${MAX_ARM_LIST_PAGES}.`, { operation }, 'Try again; if it keeps happening, give the time to the bot operators.');
}

/**
 * Every ARM client's requests go to the configured ARM endpoint only: a `nextLink` (or any other URL Azure hands
 * back) naming another host is refused before the bearer token goes anywhere.
 */
export function sameOriginPolicy(endpoint: string): PipelinePolicy {
  const origin = new URL(endpoint).origin.toLowerCase();
  return {
    name: 'vpnCertOpsSameOrigin',
    sendRequest(request, next) {
      let target: string;
      try {
        target = new URL(request.url).origin.toLowerCase();
      } catch {
        return Promise.reject(offOrigin());
      }
      return target === origin ? next(request) : Promise.reject(offOrigin());
    },
  };
}

/** The next page's URL, when it is on the ARM endpoint itself; anything else stops the list. */
export function checkedNextLink(nextLink: string, endpoint: string): string {
  let url: URL;
  try {
    url = new URL(nextLink);
  } catch {
    throw offOrigin();
  }
  if (url.origin.toLowerCase() !== new URL(endpoint).origin.toLowerCase()) throw offOrigin();
  return url.toString();
}

/**
 * The items of an SDK list (`.byPage()`), stopping after MAX_ARM_LIST_PAGES pages: a last page that still names a
 * next one (its `continuationToken`) ends the list with an error instead of another request.
 */
export async function* cappedPages<T>(pages: AsyncIterable<T[] & { continuationToken?: string }>, operation: string): AsyncGenerator<T> {
  let count = 0;
  for await (const page of pages) {
    if (++count > MAX_ARM_LIST_PAGES) throw tooManyPages(operation);
    yield* page;
    if (count === MAX_ARM_LIST_PAGES && page.continuationToken) throw tooManyPages(operation);
  }
}

/** Counts the pages of a list read by hand (ArmRequester) before each is requested, with the same cap. */
export function pageCounter(operation: string): () => void {
  let count = 0;
  return () => {
    if (++count > MAX_ARM_LIST_PAGES) throw tooManyPages(operation);
  };
}
