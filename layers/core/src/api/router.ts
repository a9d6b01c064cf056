/**
 * The results API as one function: (method, path, query, caller) → response.
 *
 * Both the Lambda behind the HTTP API and the local `radiomics serve` call it, so site scope is enforced here
 * and nowhere else: a coordinator reads every site, a site user only the site in its identity. A study of
 * another site returns 404, so its existence is not disclosed. A list filter naming another site returns 403.
 *
 * Endpoints (all GET, JSON unless stated):
 *   /api/me                                              caller identity
 *   /api/studies?site&status&from&to&limit&cursor       paginated studies, newest first
 *   /api/studies/{site}/{study}                          study, audit trail, lesions with current scores
 *   /api/studies/{site}/{study}/lesions/{lesion}         scores per model version, features used by the model
 *   /api/studies/{site}/{study}/lesions/{lesion}/preview.png   mask over CT, central slice (PNG)
 *   /api/sites                                           per-site counts by status and progression rate
 *   /api/models                                          published versions, the active one flagged
 *   /api/models/active, /api/models/{version}            model card with plot data
 *   /api/models/{version}/figures/{name}.svg             report figure stored beside the model
 */
import { RadiomicsError, toRadiomicsError } from '../errors';
import type { BlobStore, LesionFeatureSet, LesionKey, ModelRecord, ResultStore, StudyKey, StudyStatus } from '../pipeline/ports';
import { extractModelFigures } from './figures';
import type { ApiRequest, ApiResponse, CallerIdentity } from './types';
import {
  auditView,
  isSyntheticCard,
  lesionSummaryView,
  modelSummaryView,
  scoreView,
  siteSummaryView,
  sortScores,
  studyView,
  type FeatureValueView,
} from './views';

export interface ResultsApiOptions {
  readonly store: ResultStore;
  readonly blobs: BlobStore;
  /** Renders a lesion preview when none is stored; returns undefined when the source images are gone. */
  readonly renderPreview?: (featureSet: LesionFeatureSet) => Promise<Uint8Array | undefined>;
  /** Receives one structured entry per failed request (ids and error code, never header values). */
  readonly log?: (entry: Record<string, unknown>) => void;
}

export type ResultsApi = (request: ApiRequest) => Promise<ApiResponse>;

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

const STUDY_STATUSES: readonly StudyStatus[] = ['RECEIVED', 'VALIDATING', 'EXTRACTING', 'SCORING', 'COMPLETED', 'FAILED'];
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const FIGURE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\.svg$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** Blob key of a report figure stored beside a model artifact. */
export function modelFigureKey(version: string, name: string): string {
  return `models/${version}/figures/${name}`;
}

function json(status: number, body: unknown): ApiResponse {
  return { status, headers: JSON_HEADERS, body: JSON.stringify(body) };
}

function errorStatus(error: RadiomicsError): number {
  switch (error.code) {
    case 'ACCESS_DENIED':
      return error.details.reason === 'unauthenticated' ? 401 : 403;
    case 'RESULT_NOT_FOUND':
    case 'MODEL_NOT_FOUND':
    case 'FILE_NOT_FOUND':
      return 404;
    case 'REQUEST_INVALID':
      return 400;
    case 'STORAGE_UNAVAILABLE':
      return 503;
    default:
      return 500;
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new RadiomicsError('REQUEST_INVALID', 'The request path contains an invalid percent-encoding.');
  }
}

function requireId(value: string, what: string): string {
  if (!ID_PATTERN.test(value)) {
    throw new RadiomicsError('REQUEST_INVALID', `The ${what} in the path is invalid: ids are 1-64 letters, digits, ".", "_" or "-".`);
  }
  return value;
}

/** Parses a bound of the received-date filter; a bare date covers the whole UTC day. */
function parseDateBound(value: string | undefined, name: 'from' | 'to'): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (DATE_ONLY.test(value)) {
    const day = new Date(`${value}T00:00:00.000Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value) {
      throw new RadiomicsError('REQUEST_INVALID', `Query parameter "${name}" is not a valid date; use YYYY-MM-DD or an ISO 8601 timestamp.`);
    }
    return name === 'from' ? `${value}T00:00:00.000Z` : `${value}T23:59:59.999Z`;
  }
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) {
    throw new RadiomicsError('REQUEST_INVALID', `Query parameter "${name}" is not a valid date; use YYYY-MM-DD or an ISO 8601 timestamp.`);
  }
  return time.toISOString();
}

function parseLimit(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PAGE_SIZE;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new RadiomicsError('REQUEST_INVALID', `Query parameter "limit" must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
  }
  return limit;
}

function parseStatus(value: string | undefined): StudyStatus | undefined {
  if (value === undefined || value === '') return undefined;
  const status = value.toUpperCase() as StudyStatus;
  if (!STUDY_STATUSES.includes(status)) {
    throw new RadiomicsError('REQUEST_INVALID', `Query parameter "status" must be one of ${STUDY_STATUSES.join(', ')}.`);
  }
  return status;
}

function requireCaller(caller: CallerIdentity | undefined): CallerIdentity {
  if (!caller) {
    throw new RadiomicsError('ACCESS_DENIED', 'The request carries no valid credentials.', { details: { reason: 'unauthenticated' } });
  }
  if (caller.role === 'site-user' && (caller.siteId === undefined || !ID_PATTERN.test(caller.siteId))) {
    // A site user without a site would otherwise fall through to "no filter"; refuse instead.
    throw new RadiomicsError('ACCESS_DENIED', 'The signed-in site user has no valid site assigned.', { details: { reason: 'no-site' } });
  }
  return caller;
}

function canReadSite(caller: CallerIdentity, siteId: string): boolean {
  return caller.role === 'coordinator' || caller.siteId === siteId;
}

function studyNotFound(key: StudyKey): RadiomicsError {
  return new RadiomicsError('RESULT_NOT_FOUND', `Study ${key.studyId} of site ${key.siteId} was not found.`);
}

export function createResultsApi(options: ResultsApiOptions): ResultsApi {
  const { store, blobs } = options;
  const featureNamesByVersion = new Map<string, readonly string[]>();

  async function readableStudy(caller: CallerIdentity, key: StudyKey) {
    if (!canReadSite(caller, key.siteId)) throw studyNotFound(key);
    const study = await store.getStudy(key);
    if (!study) throw studyNotFound(key);
    return study;
  }

  async function readableFeatureSet(caller: CallerIdentity, key: LesionKey): Promise<LesionFeatureSet> {
    await readableStudy(caller, key);
    const featureSet = await store.getFeatureSet(key);
    if (!featureSet) throw new RadiomicsError('RESULT_NOT_FOUND', `Lesion ${key.lesionId} of study ${key.studyId} was not found.`);
    return featureSet;
  }

  /** Reads the feature names a model version scores on from its artifact, once per version. */
  async function modelFeatureNames(model: ModelRecord): Promise<readonly string[]> {
    const cached = featureNamesByVersion.get(model.version);
    if (cached) return cached;
    let names: readonly string[] = [];
    try {
      const artifact = JSON.parse(new TextDecoder().decode(await blobs.get(model.artifactKey))) as { featureNames?: unknown };
      if (Array.isArray(artifact.featureNames)) names = artifact.featureNames.filter((name): name is string => typeof name === 'string');
    } catch (thrown) {
      options.log?.({ message: 'Model artifact unreadable; feature list left empty', modelVersion: model.version, code: toRadiomicsError(thrown).code });
    }
    featureNamesByVersion.set(model.version, names);
    return names;
  }

  async function listStudies(caller: CallerIdentity, query: ApiRequest['query']): Promise<ApiResponse> {
    const requestedSite = query.site === '' ? undefined : query.site;
    if (requestedSite !== undefined) requireId(requestedSite, 'site filter');
    if (caller.role === 'site-user' && requestedSite !== undefined && requestedSite !== caller.siteId) {
      throw new RadiomicsError('ACCESS_DENIED', `Site users may list only their own site, not ${requestedSite}.`, { details: { reason: 'site-scope' } });
    }
    const siteId = caller.role === 'site-user' ? caller.siteId : requestedSite;
    const receivedFrom = parseDateBound(query.from, 'from');
    const receivedTo = parseDateBound(query.to, 'to');
    if (receivedFrom && receivedTo && receivedFrom > receivedTo) {
      throw new RadiomicsError('REQUEST_INVALID', 'Query parameter "from" is after "to".');
    }
    const cursor = query.cursor === '' ? undefined : query.cursor;
    const page = await store.listStudies({ siteId, status: parseStatus(query.status), receivedFrom, receivedTo, limit: parseLimit(query.limit), cursor });
    return json(200, { items: page.items.map(studyView), nextCursor: page.nextCursor ?? null });
  }

  async function getStudyDetail(caller: CallerIdentity, key: StudyKey): Promise<ApiResponse> {
    const study = await readableStudy(caller, key);
    const [audit, featureSets, active] = await Promise.all([store.listAuditEvents(key), store.listFeatureSets(key), store.getActiveModel()]);
    const lesions = await Promise.all(
      featureSets.map(async (featureSet) => lesionSummaryView(featureSet, await store.listScores(featureSet), active?.version, options.renderPreview !== undefined)),
    );
    return json(200, {
      study: studyView(study),
      audit: [...audit].sort((a, b) => a.at.localeCompare(b.at)).map(auditView),
      lesions,
      activeModelVersion: active?.version ?? null,
    });
  }

  async function getLesionDetail(caller: CallerIdentity, key: LesionKey): Promise<ApiResponse> {
    const featureSet = await readableFeatureSet(caller, key);
    const [scores, active] = await Promise.all([store.listScores(key), store.getActiveModel()]);
    const summary = lesionSummaryView(featureSet, scores, active?.version, options.renderPreview !== undefined);

    // The features shown are those of the model whose score is displayed: the active one, else the latest.
    const shownVersion = summary.current?.modelVersion ?? summary.latest?.modelVersion ?? active?.version;
    let shownModel: ModelRecord | undefined;
    if (shownVersion !== undefined) shownModel = shownVersion === active?.version ? active : await store.getModel(shownVersion);
    const featureNames = shownModel ? await modelFeatureNames(shownModel) : [];
    const features: FeatureValueView[] = featureNames.map((name) => {
      const value = featureSet.features[name];
      return { name, value: typeof value === 'number' && Number.isFinite(value) ? value : null };
    });

    return json(200, {
      lesion: summary,
      settingsHash: featureSet.settingsHash,
      history: sortScores(scores).map(scoreView),
      activeModelVersion: active?.version ?? null,
      featureModel: shownModel ? modelSummaryView(shownModel, active?.version) : null,
      features,
    });
  }

  async function getPreview(caller: CallerIdentity, key: LesionKey): Promise<ApiResponse> {
    const featureSet = await readableFeatureSet(caller, key);
    let png: Uint8Array | undefined;
    if (featureSet.previewKey !== undefined && (await blobs.exists(featureSet.previewKey))) {
      png = await blobs.get(featureSet.previewKey);
    } else if (options.renderPreview) {
      png = await options.renderPreview(featureSet);
    }
    if (!png) throw new RadiomicsError('RESULT_NOT_FOUND', `Lesion ${key.lesionId} of study ${key.studyId} has no preview image.`);
    return { status: 200, headers: { 'content-type': 'image/png', 'cache-control': 'private, max-age=300' }, body: png };
  }

  async function listSites(caller: CallerIdentity): Promise<ApiResponse> {
    const summaries = await store.siteSummaries();
    const visible = summaries.filter((summary) => canReadSite(caller, summary.siteId));
    return json(200, { items: visible.map(siteSummaryView) });
  }

  async function listModels(): Promise<ApiResponse> {
    const [models, active] = await Promise.all([store.listModels(), store.getActiveModel()]);
    const items = [...models].sort((a, b) => b.publishedAt.localeCompare(a.publishedAt)).map((model) => modelSummaryView(model, active?.version));
    return json(200, { items, activeModelVersion: active?.version ?? null });
  }

  async function getModelCard(version: string | 'active'): Promise<ApiResponse> {
    const active = await store.getActiveModel();
    const model = version === 'active' ? active : await store.getModel(version);
    if (!model) {
      throw new RadiomicsError('MODEL_NOT_FOUND', version === 'active' ? 'No model version is active yet.' : `Model version ${version} is not published.`);
    }
    const figureBlobs = await blobs.list(modelFigureKey(model.version, ''));
    const storedFigures = figureBlobs
      .map((blob) => blob.key.slice(modelFigureKey(model.version, '').length))
      .filter((name) => FIGURE_PATTERN.test(name))
      .map((name) => ({ name, path: `/api/models/${encodeURIComponent(model.version)}/figures/${encodeURIComponent(name)}` }));
    return json(200, {
      model: modelSummaryView(model, active?.version),
      card: model.card,
      synthetic: isSyntheticCard(model.card),
      featureNames: await modelFeatureNames(model),
      figures: extractModelFigures(model.card),
      storedFigures,
    });
  }

  async function getModelFigure(version: string, name: string): Promise<ApiResponse> {
    if (!(await store.getModel(version))) throw new RadiomicsError('MODEL_NOT_FOUND', `Model version ${version} is not published.`);
    if (!FIGURE_PATTERN.test(name)) throw new RadiomicsError('REQUEST_INVALID', 'Figure names end in ".svg" and contain only letters, digits, ".", "_" or "-".');
    const key = modelFigureKey(version, name);
    if (!(await blobs.exists(key))) throw new RadiomicsError('RESULT_NOT_FOUND', `Model version ${version} has no figure ${name}.`);
    return {
      status: 200,
      // The sandbox CSP keeps scripts in a stored SVG from running if the figure is opened directly.
      headers: { 'content-type': 'image/svg+xml', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox", 'cache-control': 'private, max-age=300' },
      body: await blobs.get(key),
    };
  }

  async function route(request: ApiRequest): Promise<ApiResponse> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw new RadiomicsError('REQUEST_INVALID', `Method ${request.method} is not allowed; the results API is read-only.`, { details: { status: 405 } });
    }
    const segments = request.path.split('/').filter((segment) => segment !== '').map(decodeSegment);
    if (segments[0] !== 'api') throw new RadiomicsError('RESULT_NOT_FOUND', 'No such API endpoint.');
    const caller = requireCaller(request.caller);
    const [, resource, ...rest] = segments;

    if (resource === 'me' && rest.length === 0) {
      return json(200, { role: caller.role, siteId: caller.role === 'site-user' ? caller.siteId : null });
    }

    if (resource === 'studies') {
      if (rest.length === 0) return listStudies(caller, request.query);
      const siteId = requireId(rest[0], 'site id');
      const studyId = requireId(rest[1] ?? '', 'study id');
      if (rest.length === 2) return getStudyDetail(caller, { siteId, studyId });
      if (rest[2] === 'lesions' && rest.length >= 4) {
        const lesionKey = { siteId, studyId, lesionId: requireId(rest[3], 'lesion id') };
        if (rest.length === 4) return getLesionDetail(caller, lesionKey);
        if (rest.length === 5 && rest[4] === 'preview.png') return getPreview(caller, lesionKey);
      }
    }

    if (resource === 'sites' && rest.length === 0) return listSites(caller);

    if (resource === 'models') {
      if (rest.length === 0) return listModels();
      const version = rest[0] === 'active' ? 'active' : requireId(rest[0], 'model version');
      if (rest.length === 1) return getModelCard(version);
      if (rest.length === 3 && rest[1] === 'figures' && version !== 'active') return getModelFigure(version, rest[2]);
    }

    throw new RadiomicsError('RESULT_NOT_FOUND', 'No such API endpoint.');
  }

  return async (request) => {
    try {
      const response = await route(request);
      return request.method === 'HEAD' ? { ...response, body: '' } : response;
    } catch (thrown) {
      const error = toRadiomicsError(thrown);
      const status = typeof error.details.status === 'number' ? error.details.status : errorStatus(error);
      options.log?.({
        message: 'Results API request failed',
        method: request.method,
        status,
        code: error.code,
        role: request.caller?.role ?? 'anonymous',
        ...(error.code === 'INTERNAL_ERROR' ? { error: error.message } : {}),
      });
      // Internal errors keep their detail in the log; the caller gets the catalogue wording only.
      const message = error.code === 'INTERNAL_ERROR' ? 'The results API failed unexpectedly.' : error.message;
      return json(status, { error: { code: error.code, message, action: error.action } });
    }
  };
}
