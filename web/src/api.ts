// Client of the results API: same-origin requests with the bearer token kept for this browser tab only.

const TOKEN_KEY = 'radiomics.accessToken';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly action: string,
  ) {
    super(message);
  }
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

async function request(path: string, query: Record<string, string | undefined> = {}): Promise<Response> {
  const url = new URL(path, window.location.href);
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') url.searchParams.set(name, value);
  const response = await fetch(url, { headers: { authorization: `Bearer ${storedToken() ?? ''}` }, credentials: 'omit' });
  if (!response.ok) {
    let body: { error?: { code?: string; message?: string; action?: string } } = {};
    try {
      body = await response.json();
    } catch {
      // A non-JSON error body (a proxy page) keeps the generic message below.
    }
    throw new ApiError(response.status, body.error?.code ?? 'HTTP_ERROR', body.error?.message ?? `The request failed with status ${response.status}.`, body.error?.action ?? 'Try again.');
  }
  return response;
}

export async function getJson<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
  return (await request(path, query)).json() as Promise<T>;
}

/** Fetches an image with the token and returns an object URL for an <img>, or null when there is none. */
export async function getImageUrl(path: string): Promise<string | null> {
  try {
    const blob = await (await request(path)).blob();
    return URL.createObjectURL(blob);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

// Response shapes of the results API (layers/core/src/api/views.ts).

export type StudyStatus = 'RECEIVED' | 'VALIDATING' | 'EXTRACTING' | 'SCORING' | 'COMPLETED' | 'FAILED';

export interface Study {
  siteId: string;
  studyId: string;
  status: StudyStatus;
  receivedAt: string;
  updatedAt: string;
  lesionCount: number | null;
  failure: { code: string; message: string; action: string } | null;
  inferredLayout: string | null;
}

export interface Score {
  modelVersion: string;
  probability: number;
  predictedClass: 'progression' | 'non-progression';
  threshold: number;
  scoredAt: string;
}

export interface LesionSummary {
  siteId: string;
  studyId: string;
  lesionId: string;
  label: number;
  extractedAt: string;
  current: Score | null;
  latest: Score | null;
  stale: boolean;
  hasPreview: boolean;
}

export interface ModelSummary {
  version: string;
  publishedAt: string;
  settingsHash: string;
  active: boolean;
  synthetic: boolean;
}

export interface StudyDetail {
  study: Study;
  audit: { at: string; fromStatus: StudyStatus | null; toStatus: StudyStatus; detail: string | null }[];
  lesions: LesionSummary[];
  activeModelVersion: string | null;
}

export interface LesionDetail {
  lesion: LesionSummary;
  settingsHash: string;
  history: Score[];
  activeModelVersion: string | null;
  featureModel: ModelSummary | null;
  features: { name: string; value: number | null }[];
}

export interface SiteSummary {
  siteId: string;
  studiesByStatus: Partial<Record<StudyStatus, number>>;
  lesionsScored: number;
  lesionsPredictedProgression: number;
  studies: number;
  progressionRate: number | null;
}

export interface Series {
  label: string;
  auc?: number;
  points: [number, number][];
}

export interface ModelCard {
  model: ModelSummary;
  card: Record<string, unknown>;
  synthetic: boolean;
  featureNames: string[];
  figures: { roc: Series[]; dca: Series[] };
  storedFigures: { name: string; path: string }[];
}

export interface Me {
  role: 'coordinator' | 'site-user';
  siteId: string | null;
}
