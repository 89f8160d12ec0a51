import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { Settings } from './cli-config';
import { CliError, codeOfStatus, networkError } from './cli-errors';

interface GraphQLError {
  message: string;
  extensions?: { code?: string; field?: string; gate?: string };
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: GraphQLError[];
}

/** The first error of an answer as a CliError: its message (with the field or gate it names) and its code. */
function errorOf(errors: GraphQLError[]): CliError {
  const [first] = errors;
  const code = first.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
  const where = first.extensions?.field ?? first.extensions?.gate;
  const message = where && !first.message.includes(where) ? `${first.message} [${where}]` : first.message;
  return new CliError(message, code);
}

/** A client of the public API: GraphQL over HTTP and graphql-ws, files over HTTP, all with the bearer token. */
export class ApiClient {
  constructor(readonly settings: Settings) {}

  get graphqlUrl(): string {
    return `${this.settings.url}/graphql`;
  }

  authHeaders(): Record<string, string> {
    return this.settings.token ? { authorization: `Bearer ${this.settings.token}` } : {};
  }

  async query<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.authHeaders() },
        body: JSON.stringify({ query: document, variables }),
      });
    } catch (error) {
      throw networkError(error, this.graphqlUrl);
    }
    let body: GraphQLBody<T>;
    try {
      body = (await response.json()) as GraphQLBody<T>;
    } catch {
      throw new CliError(`${this.graphqlUrl} answered ${response.status} without a GraphQL body`, codeOfStatus(response.status));
    }
    if (body.errors?.length) throw errorOf(body.errors);
    if (!body.data) throw new CliError(`${this.graphqlUrl} answered ${response.status} without data`, codeOfStatus(response.status));
    return body.data;
  }

  /** A file route (`/files/…`, `/hf/…`) with the token; an error answer becomes a CliError with its code. */
  async fetchFile(pathAndQuery: string, init: RequestInit = {}): Promise<Response> {
    const url = `${this.settings.url}${pathAndQuery}`;
    let response: Response;
    try {
      response = await fetch(url, { ...init, headers: { ...this.authHeaders(), ...(init.headers as Record<string, string>) } });
    } catch (error) {
      throw networkError(error, url);
    }
    if (response.ok || response.status === 304) return response;
    const text = await response.text().catch(() => '');
    let parsed: GraphQLBody<unknown> | null = null;
    try {
      parsed = JSON.parse(text) as GraphQLBody<unknown>;
    } catch {
      parsed = null;
    }
    if (parsed?.errors?.length) throw errorOf(parsed.errors);
    const code = response.headers.get('x-error-code') ?? codeOfStatus(response.status);
    throw new CliError(`${pathAndQuery} answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`, code);
  }

  /**
   * A subscription over graphql-ws (token in the connection params); `onNext` sees every result, the promise
   * settles when the server completes the subscription. Node 20 has no global WebSocket: `ws` is given.
   */
  subscribe<T>(document: string, variables: Record<string, unknown>, onNext: (data: T) => void): Promise<void> {
    const wsUrl = this.graphqlUrl.replace(/^http/, 'ws');
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: this.authHeaders(),
      retryAttempts: 5,
      lazy: true,
    });
    return new Promise<void>((resolve, reject) => {
      const done = (error?: unknown) => {
        void client.dispose();
        if (error === undefined) resolve();
        else reject(error);
      };
      client.subscribe<T>(
        { query: document, variables },
        {
          next: (result) => {
            if (result.errors?.length) done(errorOf(result.errors as GraphQLError[]));
            else if (result.data) onNext(result.data);
          },
          error: (error: unknown) => {
            if (Array.isArray(error)) done(errorOf(error as GraphQLError[]));
            else if (error instanceof Error) done(networkError(error, wsUrl));
            else done(new CliError(`${wsUrl} closed the subscription (${(error as { code?: number }).code ?? 'no code'}: ${(error as { reason?: string }).reason || 'no reason'})`, 'UNAVAILABLE'));
          },
          complete: () => done(),
        },
      );
    });
  }
}
