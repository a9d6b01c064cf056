/**
 * Result store in one SQLite file (better-sqlite3), the embedded counterpart of the DynamoDB table.
 *
 * Every conditional write runs inside one SQLite transaction, so a study transition and its audit event
 * are written together or not at all. The database runs in WAL mode with a busy timeout, so the worker
 * threads of the local runner can each open their own connection to the same file.
 *
 * Feature sets are stored as a little-endian Float64 vector plus a layout id; the layout table keeps each
 * distinct list of feature names once (usually one per extraction settings file). Re-scoring then reads a
 * model's few values at known offsets instead of parsing an 851-key JSON object per lesion. Files written
 * before this layout are migrated when opened (see migrateFeatureVectors), and a feature set whose values
 * are not all numbers stays in the record as JSON; both are read back the same way.
 */
import { createHash } from 'node:crypto';
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
import type { RescoreFastPaths } from '@radiomics/core/rescoring';

import { RadiomicsError } from '@radiomics/core/errors';

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
  layout_id INTEGER,
  feature_vector BLOB,
  PRIMARY KEY (site_id, study_id, lesion_id)
);
CREATE TABLE IF NOT EXISTS feature_layouts (
  layout_id INTEGER PRIMARY KEY,
  names_hash TEXT NOT NULL UNIQUE,
  names TEXT NOT NULL
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

/** PRAGMA user_version of a file whose feature sets use the vector layout. */
const FEATURE_VECTOR_SCHEMA_VERSION = 2;

interface RecordRow {
  record: string;
}

interface StoredLayout {
  readonly names: readonly string[];
  readonly id: number;
  readonly hash: string;
}

interface FeatureSetRow {
  record: string;
  layout_id: number | null;
  feature_vector: Buffer | null;
}

interface VectorRow {
  site_id: string;
  study_id: string;
  lesion_id: string;
  settings_hash: string;
  layout_id: number | null;
  feature_vector: Buffer | null;
  legacy_record: string | null;
}

export class SqliteResultStore implements ResultStore, RescoreFastPaths {
  readonly database: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /** Feature-name list (as JSON) → layout id, and back; layouts are never changed once written. */
  private readonly layouts = new Map<string, StoredLayout>();
  private lastLayout: StoredLayout | undefined;
  private readonly layoutNamesById = new Map<number, readonly string[]>();
  private readonly projections = new Map<string, Int32Array>();

  /** Opens (and creates when missing) the database file; pass ':memory:' for a throw-away store. */
  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.database = openSqliteDatabase(file);
    this.database.pragma('busy_timeout = 10000');
    if (file !== ':memory:') this.database.pragma('journal_mode = WAL');
    this.database.pragma('synchronous = NORMAL');
    this.database.exec(SCHEMA);
    this.migrateFeatureVectors();
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
    const encoded = this.encodeFeatures(featureSet);
    // Insert, or replace only a feature set computed with other settings: a retried task rewrites nothing.
    this.statement(
      'putFeatureSet',
      `INSERT INTO feature_sets (site_id, study_id, lesion_id, settings_hash, record, layout_id, feature_vector) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (site_id, study_id, lesion_id) DO UPDATE SET settings_hash = excluded.settings_hash, record = excluded.record,
         layout_id = excluded.layout_id, feature_vector = excluded.feature_vector
       WHERE feature_sets.settings_hash <> excluded.settings_hash`,
    ).run(featureSet.siteId, featureSet.studyId, featureSet.lesionId, featureSet.settingsHash, encoded.record, encoded.layoutId, encoded.vector);
  }

  async getFeatureSet(key: LesionKey): Promise<LesionFeatureSet | undefined> {
    const row = this.statement('getFeatureSet', 'SELECT record, layout_id, feature_vector FROM feature_sets WHERE site_id = ? AND study_id = ? AND lesion_id = ?').get(
      key.siteId,
      key.studyId,
      key.lesionId,
    ) as FeatureSetRow | undefined;
    return row ? this.decodeFeatureSet(row) : undefined;
  }

  async listFeatureSets(key: StudyKey): Promise<LesionFeatureSet[]> {
    const rows = this.statement('listFeatureSets', 'SELECT record, layout_id, feature_vector FROM feature_sets WHERE site_id = ? AND study_id = ? ORDER BY lesion_id').all(
      key.siteId,
      key.studyId,
    ) as FeatureSetRow[];
    return rows.map((row) => this.decodeFeatureSet(row));
  }

  async scanFeatureSets(cursor: string | undefined, limit: number): Promise<Page<LesionFeatureSet>> {
    const after = cursor === undefined ? ['', '', ''] : decodeCursor(cursor);
    const pageSize = Math.max(1, limit);
    const rows = this.statement(
      'scanFeatureSets',
      `SELECT record, layout_id, feature_vector FROM feature_sets WHERE (site_id, study_id, lesion_id) > (?, ?, ?)
       ORDER BY site_id, study_id, lesion_id LIMIT ?`,
    ).all(after[0], after[1], after[2], pageSize + 1) as FeatureSetRow[];
    const items = rows.slice(0, pageSize).map((row) => this.decodeFeatureSet(row));
    const last = items[items.length - 1];
    return rows.length > pageSize && last ? { items, nextCursor: encodeCursor([last.siteId, last.studyId, last.lesionId]) } : { items };
  }

  /**
   * Pages like scanFeatureSets (same order, same cursors), but each feature set carries only its key, its
   * settings hash and the named features, read from the stored vector at the offsets its layout gives.
   * A value stored as NaN or ±Infinity is left out, as the JSON record would have held null.
   */
  async scanFeatureVectors(cursor: string | undefined, limit: number, featureNames: readonly string[]): Promise<Page<LesionFeatureSet>> {
    const after = cursor === undefined ? ['', '', ''] : decodeCursor(cursor);
    const pageSize = Math.max(1, limit);
    const rows = this.statement(
      'scanFeatureVectors',
      `SELECT site_id, study_id, lesion_id, settings_hash, layout_id, feature_vector,
         CASE WHEN feature_vector IS NULL THEN record END AS legacy_record
       FROM feature_sets WHERE (site_id, study_id, lesion_id) > (?, ?, ?) ORDER BY site_id, study_id, lesion_id LIMIT ?`,
    ).all(after[0], after[1], after[2], pageSize + 1) as VectorRow[];

    const requestKey = JSON.stringify(featureNames);
    const items = rows.slice(0, pageSize).map((row): LesionFeatureSet => {
      const features: Record<string, number> = {};
      if (row.feature_vector !== null && row.layout_id !== null) {
        const offsets = this.projectionOffsets(row.layout_id, requestKey, featureNames);
        for (let index = 0; index < featureNames.length; index++) {
          const offset = offsets[index];
          if (offset < 0) continue;
          const value = row.feature_vector.readDoubleLE(offset);
          if (Number.isFinite(value)) features[featureNames[index]] = value;
        }
      } else if (row.legacy_record !== null) {
        const stored = (JSON.parse(row.legacy_record) as Partial<LesionFeatureSet>).features ?? {};
        for (const name of featureNames) {
          const value = stored[name];
          if (typeof value === 'number') features[name] = value;
        }
      }
      return { siteId: row.site_id, studyId: row.study_id, lesionId: row.lesion_id, settingsHash: row.settings_hash, features, label: 0, maskFile: '', provenance: {}, extractedAt: '' };
    });
    const last = items[items.length - 1];
    return rows.length > pageSize && last ? { items, nextCursor: encodeCursor([last.siteId, last.studyId, last.lesionId]) } : { items };
  }

  /** Number of stored feature sets, for a progress bar's total. */
  countFeatureSets(): number {
    return (this.statement('countFeatureSets', 'SELECT COUNT(*) AS count FROM feature_sets').get() as { count: number }).count;
  }

  async putScore(score: LesionScore): Promise<boolean> {
    return this.insertScore(score);
  }

  /** Writes a page of scores in one transaction, each under the same write-once rule as putScore. */
  async putScores(scores: readonly LesionScore[]): Promise<boolean[]> {
    const write = this.database.transaction((): boolean[] => scores.map((score) => this.insertScore(score)));
    return write.immediate();
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

  private statement(name: string, sql: string): Database.Statement {
    let prepared = this.statements.get(name);
    if (!prepared) {
      prepared = this.database.prepare(sql);
      this.statements.set(name, prepared);
    }
    return prepared;
  }

  private insertScore(score: LesionScore): boolean {
    const result = this.statement(
      'insertScore',
      `INSERT OR IGNORE INTO scores (site_id, study_id, lesion_id, model_version, predicted_class, record)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(score.siteId, score.studyId, score.lesionId, score.modelVersion, score.predictedClass, JSON.stringify(score));
    return result.changes === 1;
  }

  /**
   * Splits a feature set into the record without its features, the layout id of its feature names and the
   * values as little-endian Float64. A feature set with a value that is not a number keeps the JSON layout.
   */
  private encodeFeatures(featureSet: LesionFeatureSet): { record: string; layoutId: number | null; vector: Buffer | null } {
    const names = Object.keys(featureSet.features);
    const values = names.map((name) => featureSet.features[name] as unknown);
    if (!values.every((value) => typeof value === 'number')) return { record: JSON.stringify(featureSet), layoutId: null, vector: null };

    const vector = Buffer.allocUnsafe(names.length * 8);
    values.forEach((value, index) => vector.writeDoubleLE(value as number, index * 8));
    const { features: _features, ...rest } = featureSet;
    return { record: JSON.stringify(rest), layoutId: this.layoutIdOf(names), vector };
  }

  /**
   * Id of a feature-name list in feature_layouts, adding the list on first use. The id is remembered with
   * the list's hash and checked against the table on every use, because a layout added inside a caller's
   * transaction disappears if that transaction rolls back.
   */
  private layoutIdOf(names: readonly string[]): number {
    const last = this.lastLayout;
    let layout = last && last.names.length === names.length && last.names.every((name, index) => name === names[index]) ? last : undefined;
    const namesJson = layout ? '' : JSON.stringify(names);
    layout ??= this.layouts.get(namesJson);
    if (layout && this.statement('layoutStillStored', 'SELECT 1 FROM feature_layouts WHERE layout_id = ? AND names_hash = ?').get(layout.id, layout.hash)) {
      this.lastLayout = layout;
      return layout.id;
    }

    const json = namesJson || JSON.stringify(names);
    const hash = createHash('sha256').update(json).digest('hex');
    this.statement('insertLayout', 'INSERT OR IGNORE INTO feature_layouts (names_hash, names) VALUES (?, ?)').run(hash, json);
    const row = this.statement('layoutByHash', 'SELECT layout_id FROM feature_layouts WHERE names_hash = ?').get(hash) as { layout_id: number };
    layout = { names: [...names], id: row.layout_id, hash };
    this.layouts.set(json, layout);
    this.lastLayout = layout;
    return layout.id;
  }

  private layoutNames(layoutId: number): readonly string[] {
    let names = this.layoutNamesById.get(layoutId);
    if (!names) {
      const row = this.statement('layoutById', 'SELECT names FROM feature_layouts WHERE layout_id = ?').get(layoutId) as { names: string } | undefined;
      if (!row) {
        throw new RadiomicsError('INTERNAL_ERROR', `Feature layout ${layoutId} is missing from the result store's feature_layouts table; the store file is damaged.`);
      }
      names = JSON.parse(row.names) as string[];
      if (!this.database.inTransaction) this.layoutNamesById.set(layoutId, names);
    }
    return names;
  }

  /** Byte offset of each requested feature in a layout's vector, -1 where the layout lacks it. */
  private projectionOffsets(layoutId: number, requestKey: string, featureNames: readonly string[]): Int32Array {
    const cacheKey = `${layoutId}:${requestKey}`;
    let offsets = this.projections.get(cacheKey);
    if (!offsets) {
      const positions = new Map(this.layoutNames(layoutId).map((name, index) => [name, index * 8]));
      offsets = Int32Array.from(featureNames, (name) => positions.get(name) ?? -1);
      this.projections.set(cacheKey, offsets);
    }
    return offsets;
  }

  private decodeFeatureSet(row: FeatureSetRow): LesionFeatureSet {
    const record = JSON.parse(row.record) as LesionFeatureSet;
    if (row.feature_vector === null || row.layout_id === null) return record;
    const names = this.layoutNames(row.layout_id);
    const features: Record<string, number> = {};
    names.forEach((name, index) => {
      const value = row.feature_vector!.readDoubleLE(index * 8);
      // The JSON layout stored NaN and ±Infinity as null, so both layouts return null for them.
      features[name] = Number.isFinite(value) ? value : (null as unknown as number);
    });
    return { ...record, features };
  }

  /**
   * Moves feature sets written by the JSON-only layout (no layout_id/feature_vector columns) to the vector
   * layout, once per file: user_version 2 marks a migrated file. Each chunk of 500 rows is its own IMMEDIATE
   * transaction, so other connections wait at most one chunk, and an interrupted migration keeps its
   * finished chunks and continues on the next open. Two processes opening an old file together share the
   * rows, because each chunk selects only rows that still lack a vector.
   */
  private migrateFeatureVectors(): void {
    if ((this.database.pragma('user_version', { simple: true }) as number) >= FEATURE_VECTOR_SCHEMA_VERSION) return;

    const addColumns = this.database.transaction(() => {
      const columns = (this.database.prepare('PRAGMA table_info(feature_sets)').all() as { name: string }[]).map((column) => column.name);
      if (!columns.includes('layout_id')) this.database.exec('ALTER TABLE feature_sets ADD COLUMN layout_id INTEGER');
      if (!columns.includes('feature_vector')) this.database.exec('ALTER TABLE feature_sets ADD COLUMN feature_vector BLOB');
    });
    addColumns.immediate();

    // Chunks by rowid: a connection cannot write while it iterates, and a large store does not fit in memory.
    const readChunk = this.database.prepare('SELECT rowid AS row_id, record FROM feature_sets WHERE feature_vector IS NULL AND rowid > ? ORDER BY rowid LIMIT 500');
    const update = this.database.prepare('UPDATE feature_sets SET record = ?, layout_id = ?, feature_vector = ? WHERE rowid = ?');
    const migrateChunk = this.database.transaction((afterRowId: number): number | undefined => {
      const chunk = readChunk.all(afterRowId) as { row_id: number; record: string }[];
      for (const row of chunk) {
        const encoded = this.encodeFeatures(JSON.parse(row.record) as LesionFeatureSet);
        if (encoded.vector !== null) update.run(encoded.record, encoded.layoutId, encoded.vector, row.row_id);
      }
      return chunk.length > 0 ? chunk[chunk.length - 1].row_id : undefined;
    });
    for (let afterRowId: number | undefined = 0; afterRowId !== undefined; ) afterRowId = migrateChunk.immediate(afterRowId);

    this.database.pragma(`user_version = ${FEATURE_VECTOR_SCHEMA_VERSION}`);
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
