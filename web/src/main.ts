// Dashboard entry point: hash routing between the views, sign-in and focus management.
import './styles.css';

import { ApiError, clearToken, getJson, storedToken, storeToken, type Me } from './api';
import { completeCognitoSignIn, loadCognitoConfig, type CognitoConfig } from './cognito';
import { fill } from './dom';
import { announce, errorPanel, pageHeading } from './views/common';
import { renderLesion } from './views/lesion';
import { renderModel } from './views/model';
import { renderSignIn } from './views/signin';
import { renderSites } from './views/sites';
import { renderStudies } from './views/studies';
import { renderStudy } from './views/study';

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('main-nav') as HTMLElement;
const signOut = document.getElementById('sign-out') as HTMLButtonElement;

let me: Me | null = null;
let renderCount = 0;
let cognito: CognitoConfig | null = null;

function navigate(hash: string): void {
  if (window.location.hash === hash) void render();
  else window.location.hash = hash;
}

function markCurrentLink(path: string): void {
  for (const link of Array.from(nav.querySelectorAll('a'))) {
    const current = path.startsWith(link.getAttribute('href')!.slice(1));
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function showSignIn(reason?: string): void {
  me = null;
  nav.hidden = true;
  document.title = 'Sign in · Sarcoma radiomics dashboard';
  renderSignIn(
    main,
    (identity) => {
      me = identity;
      navigate('#/studies');
    },
    reason,
    cognito,
  );
}

async function render(): Promise<void> {
  const thisRender = ++renderCount;
  if (!storedToken()) {
    showSignIn();
    return;
  }
  try {
    me ??= await getJson<Me>('/api/me');
  } catch (error) {
    clearToken();
    showSignIn(error instanceof ApiError && error.status === 401 ? 'Your session has ended. Sign in again.' : undefined);
    return;
  }
  nav.hidden = false;

  const [path, search = ''] = window.location.hash.replace(/^#/, '').split('?');
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query = Object.fromEntries(new URLSearchParams(search));
  markCurrentLink(`/${segments[0] ?? 'studies'}`);
  fill(main, pageHeading('Loading…'));

  try {
    if (segments[0] === 'studies' && segments.length === 3) {
      await renderStudy(main, segments[1], segments[2]);
    } else if (segments[0] === 'lesions' && segments.length === 4) {
      await renderLesion(main, segments[1], segments[2], segments[3]);
    } else if (segments[0] === 'sites') {
      await renderSites(main);
    } else if (segments[0] === 'model') {
      await renderModel(main);
    } else {
      await renderStudies(main, me, query, navigate);
    }
  } catch (error) {
    if (thisRender !== renderCount) return;
    if (error instanceof ApiError && error.status === 401) {
      clearToken();
      showSignIn('Your session has ended. Sign in again.');
      return;
    }
    const action = error instanceof ApiError ? error.action : 'Reload the page; if the problem stays, check that "radiomics serve" is running.';
    fill(main, pageHeading('Something went wrong'), errorPanel((error as Error).message, action));
  }
  if (thisRender !== renderCount) return;

  // Move focus to the new page's heading so keyboard and screen-reader users start at the content.
  const heading = document.getElementById('page-heading');
  document.title = `${heading?.textContent ?? 'Dashboard'} · Sarcoma radiomics dashboard`;
  heading?.focus();
  announce(`${heading?.textContent ?? 'Page'} loaded.`);
}

signOut.addEventListener('click', () => {
  clearToken();
  me = null;
  window.location.hash = '';
  showSignIn();
});

async function start(): Promise<void> {
  cognito = await loadCognitoConfig();
  if (cognito) {
    try {
      const idToken = await completeCognitoSignIn(cognito);
      if (idToken) storeToken(idToken);
    } catch (error) {
      showSignIn((error as Error).message);
      return;
    }
  }
  window.addEventListener('hashchange', () => void render());
  await render();
}

void start();
