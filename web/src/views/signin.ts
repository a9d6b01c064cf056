// Sign-in: the local server prints an access token at start-up; the page keeps it for this tab only.
import { ApiError, clearToken, getJson, storeToken, type Me } from '../api';
import { startCognitoSignIn, type CognitoConfig } from '../cognito';
import { fill, h } from '../dom';
import { errorPanel, pageHeading } from './common';

export function renderSignIn(main: HTMLElement, onSignedIn: (me: Me) => void, reason?: string, cognito?: CognitoConfig | null): void {
  if (cognito) {
    const button = h('button', { type: 'button' }, 'Sign in with your study account');
    button.addEventListener('click', () => void startCognitoSignIn(cognito));
    fill(main, pageHeading('Sign in'), reason ? errorPanel(reason) : null, h('p', {}, 'Coordinators see every site; site users see their own site.'), button);
    button.focus();
    return;
  }

  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false', 'aria-describedby': 'token-help' });
  const status = h('div', { 'aria-live': 'assertive' });
  const form = h(
    'form',
    { class: 'signin', novalidate: true },
    h('label', { for: 'token' }, 'Access token'),
    input,
    h('p', { id: 'token-help', class: 'help' }, 'Paste the token that "radiomics serve" printed when it started.'),
    h('button', { type: 'submit' }, 'Sign in'),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    status.replaceChildren();
    if (token === '') {
      status.append(errorPanel('Enter the access token.'));
      input.focus();
      return;
    }
    storeToken(token);
    try {
      onSignedIn(await getJson<Me>('/api/me'));
    } catch (error) {
      clearToken();
      const message = error instanceof ApiError && error.status === 401 ? 'The token was not accepted. Check it and try again.' : `Sign-in failed: ${(error as Error).message}`;
      status.append(errorPanel(message));
      input.focus();
    }
  });

  fill(main, pageHeading('Sign in'), reason ? errorPanel(reason) : null, form);
  input.focus();
}
