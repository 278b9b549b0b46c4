// Talking to ctgraph: POST /graphql on the page's own origin, and every way that can fail
// turned into one error type with a sentence a researcher can act on (the server's
// `extensions.code` decides which).

const TIMEOUT_MS = 35_000; // the server gives up at 30 s and says so; past this it is not answering

export interface GraphQLErrorBody {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string };
}

export type FailureKind = 'network' | 'timeout' | 'http' | 'graphql';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly code: string | null = null,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Response<T> {
  data: T | null;
  errors: GraphQLErrorBody[];
  /** `performance.now()` when the body had been read and parsed. */
  receivedAt: number;
}

/** Sends one operation; throws `ApiError` when no GraphQL response comes back. */
export async function post<T>(query: string, variables: Record<string, unknown>): Promise<Response<T>> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  let res: globalThis.Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
      },
      body: JSON.stringify({ query, variables }),
      signal: abort.signal,
    });
  } catch {
    clearTimeout(timer);
    if (abort.signal.aborted) {
      throw new ApiError(`ctgraph did not answer within ${TIMEOUT_MS / 1000} s.`, 'timeout');
    }
    throw new ApiError('ctgraph is not answering: the server may have stopped, or the connection dropped.', 'network');
  }
  let body: { data?: T | null; errors?: GraphQLErrorBody[] };
  try {
    body = await res.json();
  } catch {
    clearTimeout(timer);
    throw new ApiError(`The server answered ${res.status} ${res.statusText} with something that is not GraphQL.`, 'http', null, res.status);
  }
  clearTimeout(timer);
  const errors = Array.isArray(body.errors) ? body.errors : [];
  if (body.data === undefined && errors.length === 0) {
    throw new ApiError(`The server answered ${res.status} without data or errors.`, 'http', null, res.status);
  }
  return { data: body.data ?? null, errors, receivedAt: performance.now() };
}

/**
 * The value of the root field `field`, or an `ApiError` from the error that explains its absence.
 * Errors deeper in the answer (a citation whose source could not be loaded) are returned for
 * the caller to show beside the data.
 */
export async function field<T>(
  name: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ value: T | null; errors: GraphQLErrorBody[]; receivedAt: number }> {
  const res = await post<Record<string, T | null>>(query, variables);
  const value = res.data ? (res.data[name] ?? null) : null;
  const own = res.errors.find((e) => !e.path || e.path.length <= 1) ?? (value === null ? res.errors[0] : undefined);
  if (own) {
    throw new ApiError(own.message, 'graphql', own.extensions?.code ?? null, null);
  }
  return { value, errors: res.errors, receivedAt: res.receivedAt };
}

/**
 * A sentence for the screen. `what` names what was asked for ("the neighbourhood of X"), so
 * the sentence can say what did not work, not only why; `tooLarge` is the advice for a walk
 * the server refuses as too complex.
 */
export function explain(e: unknown, what: string, tooLarge = 'Ask for fewer links (depth), fewer nodes, or start from a less connected node.'): string {
  if (!(e instanceof ApiError)) {
    return `Could not show ${what}: ${e instanceof Error ? e.message : String(e)}`;
  }
  switch (e.code) {
    case 'NOT_FOUND':
      return `Nothing in the graph has that id (${e.message}), so ${what} cannot be shown. The link may be old or mistyped: search for what you were looking for.`;
    case 'BAD_USER_INPUT':
      return `Could not show ${what}: ${e.message}.`;
    case 'QUERY_TOO_COMPLEX':
      return `The server refused ${what} as too large a walk (${e.message}). ${tooLarge}`;
    case 'TIMEOUT':
      return `The server gave up on ${what} after 30 s. Ask for fewer links or fewer nodes.`;
    case 'DATABASE_UNAVAILABLE':
      return `The server cannot reach its database, so ${what} cannot be shown now. Try again in a moment.`;
    case 'INTERNAL':
      return `The server failed on ${what} (a bug, logged on the server). Try again, or report it.`;
    default:
      break;
  }
  switch (e.kind) {
    case 'network':
    case 'timeout':
      return `${e.message} Could not load ${what}; try again once ctgraph is running.`;
    case 'http':
      return `${e.message} Could not load ${what}.`;
    default:
      return `Could not show ${what}: ${e.message}`;
  }
}
