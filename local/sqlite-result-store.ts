/**
 * Result store in one SQLite file (better-sqlite3), the embedded counterpart of the DynamoDB table.
 *
 * Every conditional write runs inside one SQLite transaction, so a study transition and its audit event
 * are written together or not at all. The database runs in WAL mode with a busy timeout, so the worker
 * threads of the local runner can each open their own connection to the same file.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import type Database from 'better-sqlite3';

import type {
  AuditEvent,
  LesionFeatureSet,
  LesionKey,
  LesionScore,
  ModelRecord,
  Page,
  ResultStore,
  SiteSummary,
  StudyKey,
  StudyQuery,
  StudyRecord,
  StudyStatus,
} from '@radiomics/core/pipeline/ports';

import { openSqliteDatabase } from './sqlite-database';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS studies (
  site_id TEXT NOT NULL,
  study_id TEXT NOT NULL,
  status TEXT NOT NULL,
  received_at TEXT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (site_id, study_id)
);
CREATE INDEX IF NOT EXISTS studies_by_received ON studies (received_at, site_id, study_id);
CREATE TABLE IF NOT EXISTS audit_events (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id TEXT NOT NULL,
  study_id TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_by_study ON audit_events (site_id, study_id, sequence);
CREATE TRIGGER IF NOT EXISTS audit_events_append_only_update BEFORE UPDATE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_events_append_only_delete BEFORE DELETE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TABLE IF NOT EXISTS feature_sets (
  site_id TEXT NOT NULL,
  study_id TEXT NOT NULL,
  lesion_id TEXT NOT NULL,
  settings_hash TEXT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (site_id, study_id, lesion_id)
);
CREATE TABLE IF NOT EXISTS scores (
  site_id TEXT NOT NULL,
  study_id TEXT NOT NULL,
  lesion_id TEXT NOT NULL,
  model_version TEXT NOT NULL,
  predicted_class TEXT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (site_id, study_id, lesion_id, model_version)
);
CREATE INDEX IF NOT EXISTS scores_by_model ON scores (model_version, site_id);
CREATE TABLE IF NOT EXISTS models (
  version TEXT PRIMARY KEY,
  published_at TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

const STATUSES: readonly StudyStatus[] = ['RECEIVED', 'VALIDATING', 'EXTRACTING', 'SCORING', 'COMPLETED', 'FAILED'];

interface RecordRow {
  record: string;
}

export class SqliteResultStore implements ResultStore {
  readonly database: Database.Database;

  /** Opens (and creates when missing) the database file; pass ':memory:' for a throw-away store. */
  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.database = openSqliteDatabase(file);
    this.database.pragma('busy_timeout = 10000');
    if (file !== ':memory:') this.database.pragma('journal_mode = WAL');
    this.database.pragma('synchronous = NORMAL');
    this.database.exec(SCHEMA);
  }

  close(): void {
    this.database.close();
  }

  async createStudy(study: StudyRecord): Promise<boolean> {
    const create = this.database.transaction((): boolean => {
      const result = this.database
        .prepare('INSERT OR IGNORE INTO studies (site_id, study_id, status, received_at, record) VALUES (?, ?, ?, ?, ?)')
        .run(study.siteId, study.studyId, study.status, study.receivedAt, JSON.stringify(study));
      if (result.changes !== 1) return false;
      this.appendAudit({ siteId: study.siteId, studyId: study.studyId, at: study.updatedAt, fromStatus: null, toStatus: study.status });
      return true;
    });
    return create.immediate();
  }

  async transitionStudy(
    key: StudyKey,
    fromStatuses: readonly StudyStatus[],
    toStatus: StudyStatus,
    patch: Partial<Omit<StudyRecord, 'siteId' | 'studyId' | 'status'>> = {},
  ): Promise<boolean> {
    const transition = this.database.transaction((): boolean => {
      const current = this.readStudy(key);
      if (!current || !fromStatuses.includes(current.status)) return false;

      const at = patch.updatedAt ?? new Date().toISOString();
      const next: StudyRecord = { ...current, ...patch, siteId: key.siteId, studyId: key.studyId, status: toStatus, updatedAt: at };
      this.database
        .prepare('UPDATE studies SET status = ?, record = ? WHERE site_id = ? AND study_id = ? AND status = ?')
        .run(toStatus, JSON.stringify(next), key.siteId, key.studyId, current.status);
      this.appendAudit({
        siteId: key.siteId,
        studyId: key.studyId,
        at,
        fromStatus: current.status,
        toStatus,
        ...(next.failure && toStatus === 'FAILED' ? { detail: next.failure.code } : {}),
      });
      return true;
    });
    return transition.immediate();
  }

  async getStudy(key: StudyKey): Promise<StudyRecord | undefined> {
    return this.readStudy(key);
  }

  async listStudies(query: StudyQuery): Promise<Page<StudyRecord>> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    if (query.siteId !== undefined) {
      conditions.push('site_id = ?');
      values.push(query.siteId);
    }
    if (query.status !== undefined) {
      conditions.push('status = ?');
      values.push(query.status);
    }
    if (query.receivedFrom !== undefined) {
      conditions.push('received_at >= ?');
      values.push(query.receivedFrom);
    }
    if (query.receivedTo !== undefined) {
      conditions.push('received_at <= ?');
      values.push(query.receivedTo);
    }
    if (query.cursor !== undefined) {
      const [receivedAt, siteId, studyId] = decodeCursor(query.cursor);
      conditions.push('(received_at, site_id, study_id) > (?, ?, ?)');
      values.push(receivedAt, siteId, studyId);
    }

    const limit = Math.max(1, Math.min(query.limit ?? 100, 1000));
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = this.database
      .prepare(`SELECT record FROM studies ${where} ORDER BY received_at, site_id, study_id LIMIT ?`)
      .all(...values, limit + 1) as RecordRow[];

    const items = rows.slice(0, limit).map((row) => JSON.parse(row.record) as StudyRecord);
    const last = items[items.length - 1];
    return rows.length > limit && last ? { items, nextCursor: encodeCursor([last.receivedAt, last.siteId, last.studyId]) } : { items };
  }

  async listAuditEvents(key: StudyKey): Promise<AuditEvent[]> {
    const rows = this.database
      .prepare('SELECT record FROM audit_events WHERE site_id = ? AND study_id = ? ORDER BY sequence')
      .all(key.siteId, key.studyId) as RecordRow[];
    return rows.map((row) => JSON.parse(row.record) as AuditEvent);
  }

  async putFeatureSet(featureSet: LesionFeatureSet): Promise<void> {
    // Insert, or replace only a feature set computed with other settings: a retried task rewrites nothing.
    this.database
      .prepare(
        `INSERT INTO feature_sets (site_id, study_id, lesion_id, settings_hash, record) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (site_id, study_id, lesion_id) DO UPDATE SET settings_hash = excluded.settings_hash, record = excluded.record
         WHERE feature_sets.settings_hash <> excluded.settings_hash`,
      )
      .run(featureSet.siteId, featureSet.studyId, featureSet.lesionId, featureSet.settingsHash, JSON.stringify(featureSet));
  }

  async getFeatureSet(key: LesionKey): Promise<LesionFeatureSet | undefined> {
    const row = this.database
      .prepare('SELECT record FROM feature_sets WHERE site_id = ? AND study_id = ? AND lesion_id = ?')
      .get(key.siteId, key.studyId, key.lesionId) as RecordRow | undefined;
    return row ? (JSON.parse(row.record) as LesionFeatureSet) : undefined;
  }

  async listFeatureSets(key: StudyKey): Promise<LesionFeatureSet[]> {
    const rows = this.database
      .prepare('SELECT record FROM feature_sets WHERE site_id = ? AND study_id = ? ORDER BY lesion_id')
      .all(key.siteId, key.studyId) as RecordRow[];
    return rows.map((row) => JSON.parse(row.record) as LesionFeatureSet);
  }

  async scanFeatureSets(cursor: string | undefined, limit: number): Promise<Page<LesionFeatureSet>> {
    const after = cursor === undefined ? ['', '', ''] : decodeCursor(cursor);
    const pageSize = Math.max(1, limit);
    const rows = this.database
      .prepare(
        `SELECT record FROM feature_sets WHERE (site_id, study_id, lesion_id) > (?, ?, ?)
         ORDER BY site_id, study_id, lesion_id LIMIT ?`,
      )
      .all(after[0], after[1], after[2], pageSize + 1) as RecordRow[];
    const items = rows.slice(0, pageSize).map((row) => JSON.parse(row.record) as LesionFeatureSet);
    const last = items[items.length - 1];
    return rows.length > pageSize && last ? { items, nextCursor: encodeCursor([last.siteId, last.studyId, last.lesionId]) } : { items };
  }

  async putScore(score: LesionScore): Promise<boolean> {
    const result = this.database
      .prepare(
        `INSERT OR IGNORE INTO scores (site_id, study_id, lesion_id, model_version, predicted_class, record)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(score.siteId, score.studyId, score.lesionId, score.modelVersion, score.predictedClass, JSON.stringify(score));
    return result.changes === 1;
  }

  async listScores(key: LesionKey): Promise<LesionScore[]> {
    const rows = this.database
      .prepare('SELECT record FROM scores WHERE site_id = ? AND study_id = ? AND lesion_id = ? ORDER BY model_version')
      .all(key.siteId, key.studyId, key.lesionId) as RecordRow[];
    return rows.map((row) => JSON.parse(row.record) as LesionScore);
  }

  async putModel(model: ModelRecord): Promise<void> {
    this.database
      .prepare('INSERT OR REPLACE INTO models (version, published_at, record) VALUES (?, ?, ?)')
      .run(model.version, model.publishedAt, JSON.stringify(model));
  }

  async getModel(version: string): Promise<ModelRecord | undefined> {
    const row = this.database.prepare('SELECT record FROM models WHERE version = ?').get(version) as RecordRow | undefined;
    return row ? (JSON.parse(row.record) as ModelRecord) : undefined;
  }

  async listModels(): Promise<ModelRecord[]> {
    const rows = this.database.prepare('SELECT record FROM models ORDER BY published_at, version').all() as RecordRow[];
    return rows.map((row) => JSON.parse(row.record) as ModelRecord);
  }

  async setActiveModel(version: string): Promise<void> {
    this.database.prepare("INSERT OR REPLACE INTO settings (name, value) VALUES ('activeModel', ?)").run(version);
  }

  async getActiveModel(): Promise<ModelRecord | undefined> {
    const row = this.database.prepare("SELECT value FROM settings WHERE name = 'activeModel'").get() as { value: string } | undefined;
    return row ? this.getModel(row.value) : undefined;
  }

  async siteSummaries(): Promise<SiteSummary[]> {
    const statusRows = this.database
      .prepare('SELECT site_id AS siteId, status, COUNT(*) AS count FROM studies GROUP BY site_id, status ORDER BY site_id')
      .all() as { siteId: string; status: StudyStatus; count: number }[];

    // Lesion counts refer to the active model's scores, so a re-scored lesion is counted once.
    const active = this.database.prepare("SELECT value FROM settings WHERE name = 'activeModel'").get() as { value: string } | undefined;
    const scoreRows = active
      ? (this.database
          .prepare(
            `SELECT site_id AS siteId, COUNT(*) AS scored, SUM(predicted_class = 'progression') AS progression
             FROM scores WHERE model_version = ? GROUP BY site_id`,
          )
          .all(active.value) as { siteId: string; scored: number; progression: number }[])
      : [];

    const summaries = new Map<string, { studiesByStatus: Partial<Record<StudyStatus, number>>; lesionsScored: number; lesionsPredictedProgression: number }>();
    const summaryOf = (siteId: string) => {
      let summary = summaries.get(siteId);
      if (!summary) {
        summary = { studiesByStatus: {}, lesionsScored: 0, lesionsPredictedProgression: 0 };
        summaries.set(siteId, summary);
      }
      return summary;
    };
    for (const row of statusRows) {
      if (STATUSES.includes(row.status)) summaryOf(row.siteId).studiesByStatus[row.status] = row.count;
    }
    for (const row of scoreRows) {
      const summary = summaryOf(row.siteId);
      summary.lesionsScored = row.scored;
      summary.lesionsPredictedProgression = row.progression;
    }
    return [...summaries.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([siteId, summary]) => ({ siteId, ...summary }));
  }

  private readStudy(key: StudyKey): StudyRecord | undefined {
    const row = this.database
      .prepare('SELECT record FROM studies WHERE site_id = ? AND study_id = ?')
      .get(key.siteId, key.studyId) as RecordRow | undefined;
    return row ? (JSON.parse(row.record) as StudyRecord) : undefined;
  }

  private appendAudit(event: AuditEvent): void {
    this.database
      .prepare('INSERT INTO audit_events (site_id, study_id, record) VALUES (?, ?, ?)')
      .run(event.siteId, event.studyId, JSON.stringify(event));
  }
}

function encodeCursor(parts: string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

function decodeCursor(cursor: string): [string, string, string] {
  const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  if (!Array.isArray(parts) || parts.length !== 3 || !parts.every((part) => typeof part === 'string')) {
    throw new TypeError('invalid page cursor');
  }
  return parts as [string, string, string];
}
