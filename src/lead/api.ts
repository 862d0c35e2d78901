// The dashboard's one door to the server: same-origin fetches with the session cookie, and the CSRF
// token on every state-changing request. Errors come back as the server's message.
import { CSRF_HEADER } from '../shared/lead-api';
import type { ApiError } from '../shared/protocol';

let csrfToken = '';

export function useCsrfToken(token: string): void {
  csrfToken = token;
}

export class LeadApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export async function call<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers[CSRF_HEADER] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, { method, headers, credentials: 'same-origin', ...(body !== undefined && { body: JSON.stringify(body) }) });
  } catch {
    throw new LeadApiError(0, 'The server cannot be reached: check the connection and try again');
  }
  if (response.status === 204) return undefined as T;
  const data = (await response.json().catch(() => undefined)) as unknown;
  if (!response.ok) {
    const error = (data as ApiError | undefined)?.error;
    throw new LeadApiError(response.status, error?.message ?? `The server answered ${response.status}: try again`, error?.field);
  }
  return data as T;
}

/**
 * POST `body` and save the answer as a file named `fileName` (a download that needs a secret, which a
 * link cannot send). The file is made in the page's memory and handed to the browser's download.
 */
export async function downloadFile(url: string, body: unknown, fileName: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { [CSRF_HEADER]: csrfToken, 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(body),
    });
  } catch {
    throw new LeadApiError(0, 'The server cannot be reached: check the connection and try again');
  }
  if (!response.ok) {
    const error = ((await response.json().catch(() => undefined)) as ApiError | undefined)?.error;
    throw new LeadApiError(response.status, error?.message ?? `The server answered ${response.status}: try again`, error?.field);
  }
  const href = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = href;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Long enough for the browser to start saving; the file then lives only where it was saved.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}
