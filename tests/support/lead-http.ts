// An organizer or lead over real HTTP (for tests against the server process): sign in, then requests
// with the session cookie and the CSRF token, as the dashboard sends them.
import { CSRF_HEADER, LEAD_API, type SessionInfo } from '../../src/shared/lead-api';
import { API, PROTOCOL_VERSION, type EnrollResponse } from '../../src/shared/protocol';

export interface HttpSession {
  request(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<Response>;
  accountId: string;
}

export async function signInOverHttp(url: string, email: string, password: string): Promise<HttpSession> {
  const answer = await fetch(`${url}${LEAD_API.session}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (answer.status !== 201) throw new Error(`sign-in failed: ${answer.status} ${await answer.text()}`);
  const cookie = answer.headers.get('set-cookie')!.split(';')[0]!;
  const info = (await answer.json()) as SessionInfo;
  return {
    accountId: info.account.id,
    request: (method, path, body) =>
      fetch(`${url}${path}`, {
        method,
        headers: { cookie, ...(method !== 'GET' && { [CSRF_HEADER]: info.csrfToken }), ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      }),
  };
}

/** The organizer the server printed on its first start. */
export function printedOrganizer(output: string): { email: string; password: string } {
  const email = /Organizer account:\s*(\S+)/.exec(output)?.[1];
  const password = /Organizer one-time password:\s*(\S+)/.exec(output)?.[1];
  if (!email || !password) throw new Error('the server printed no organizer');
  return { email, password };
}

/** The demo drive's passphrase and recovery key, printed once at the first start (src/server/main.ts). */
export function printedDemoDrive(output: string): { passphrase: string; recoveryKey: string } {
  const passphrase = /Demo drive passphrase:\s*(\S+)/.exec(output)?.[1];
  const recoveryKey = /Demo drive recovery key:\s*(\S+)/.exec(output)?.[1];
  if (!passphrase || !recoveryKey) throw new Error('the server printed no demo drive passphrase');
  return { passphrase, recoveryKey };
}

export async function enrollOverHttp(url: string, code: string, deviceName: string): Promise<EnrollResponse> {
  const answer = await fetch(`${url}${API.enroll}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: PROTOCOL_VERSION, code, deviceName }),
  });
  if (answer.status !== 201) throw new Error(`enrollment failed: ${answer.status} ${await answer.text()}`);
  return (await answer.json()) as EnrollResponse;
}

export function batchPoster(url: string) {
  return async (token: string, body: unknown) => {
    const answer = await fetch(`${url}${API.batches}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return { status: answer.status, body: await answer.text() };
  };
}
