/**
 * Result store over one DynamoDB table (partition key `pk`, sort key `sk`, GSIs `gsi1` and `gsi2`).
 * docs/data-model.md documents the item layout; in short:
 *
 *   study        pk STUDY#<site>#<study>  sk STUDY                          gsi1 SITE#<site> / <receivedAt>#<study>
 *                                                                           gsi2 STATUS#<status> / <receivedAt>#<site>#<study>
 *   audit event  pk STUDY#<site>#<study>  sk AUDIT#<at>#<id>                (append-only)
 *   feature set  pk STUDY#<site>#<study>  sk LESION#<lesion>#FEATURES       gsi1 FEATURESETS / <site>#<study>#<lesion>
 *   score        pk STUDY#<site>#<study>  sk LESION#<lesion>#SCORE#<model>  gsi2 MODEL#<model> / <site>#<study>#<lesion>
 *   model        pk MODEL#<version>       sk MODEL                          gsi1 MODELS / <publishedAt>#<version>
 *   active model pk CONFIG                sk ACTIVE_MODEL
 *   site summary pk SITE#<site>           sk SUMMARY                        gsi1 SITES / <site>
 *
 * Study transitions are optimistic: read the status, then write the study, its audit event and the site's
 * status counters in one transaction conditioned on that status. A repeated or late event finds another
 * status and changes nothing.
 */
import { randomBytes } from 'node:crypto';

import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';

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

import { storageError } from './aws-errors';

type Item = Record<string, unknown>;

const STATUSES: readonly StudyStatus[] = ['RECEIVED', 'VALIDATING', 'EXTRACTING', 'SCORING', 'COMPLETED', 'FAILED'];
const STUDY_FIELDS = [
  'siteId',
  'studyId',
  'status',
  'uploadKey',
  'executionName',
  'receivedAt',
  'updatedAt',
  'lesionCount',
  'failure',
  'quarantineKey',
  'inferredLayout',
] as const;
/** Attempts of an optimistic transition before it gives up on a study that keeps changing. */
const TRANSITION_ATTEMPTS = 5;

const studyPk = (key: StudyKey) => `STUDY#${key.siteId}#${key.studyId}`;
const featureSk = (lesionId: string) => `LESION#${lesionId}#FEATURES`;
const scoreSk = (lesionId: string, modelVersion: string) => `LESION#${lesionId}#SCORE#${modelVersion}`;

export class DynamoResultStore implements ResultStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async createStudy(study: StudyRecord): Promise<boolean> {
    const audit: AuditEvent = { siteId: study.siteId, studyId: study.studyId, at: study.updatedAt, fromStatus: null, toStatus: study.status };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: studyItem(study), ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.tableName, Item: auditItem(audit), ConditionExpression: 'attribute_not_exists(pk)' } },
            { Update: siteCounterUpdate(this.tableName, study.siteId, null, study.status) },
          ],
        }),
      );
      return true;
    } catch (thrown) {
      if (isConditionFailure(thrown)) return false;
      throw storageError(thrown, 'Creating a study');
    }
  }

  async transitionStudy(
    key: StudyKey,
    fromStatuses: readonly StudyStatus[],
    toStatus: StudyStatus,
    patch: Partial<Omit<StudyRecord, 'siteId' | 'studyId' | 'status'>> = {},
  ): Promise<boolean> {
    for (let attempt = 0; attempt < TRANSITION_ATTEMPTS; attempt++) {
      const current = await this.getStudy(key);
      if (!current || !fromStatuses.includes(current.status)) return false;

      const at = patch.updatedAt ?? new Date().toISOString();
      const next: StudyRecord = { ...current, ...patch, siteId: key.siteId, studyId: key.studyId, status: toStatus, updatedAt: at };
      const audit: AuditEvent = {
        siteId: key.siteId,
        studyId: key.studyId,
        at,
        fromStatus: current.status,
        toStatus,
        ...(toStatus === 'FAILED' && next.failure ? { detail: next.failure.code } : {}),
      };
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tableName,
                  Item: studyItem(next),
                  ConditionExpression: '#status = :current AND updatedAt = :updatedAt',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':current': current.status, ':updatedAt': current.updatedAt },
                },
              },
              { Put: { TableName: this.tableName, Item: auditItem(audit), ConditionExpression: 'attribute_not_exists(pk)' } },
              { Update: siteCounterUpdate(this.tableName, key.siteId, current.status, toStatus) },
            ],
          }),
        );
        return true;
      } catch (thrown) {
        // Another writer moved the study between the read and the write: read again and re-check.
        if (!isConditionFailure(thrown)) throw storageError(thrown, 'Updating a study');
      }
    }
    return false;
  }

  async getStudy(key: StudyKey): Promise<StudyRecord | undefined> {
    const item = await this.getItem(studyPk(key), 'STUDY');
    return item ? studyFromItem(item) : undefined;
  }

  async listStudies(query: StudyQuery): Promise<Page<StudyRecord>> {
    const limit = Math.max(1, Math.min(query.limit ?? 100, 1000));
    // Key values may not be empty strings: '0000' sorts before every ISO 8601 timestamp.
    const from = query.receivedFrom ?? '0000';
    const to = `${query.receivedTo ?? '9999'}\uffff`;

    if (query.siteId !== undefined) {
      const filter = query.status === undefined
        ? {}
        : { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } };
      return this.queryPage(
        {
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
          ...filter,
          ExpressionAttributeValues: {
            ':pk': `SITE#${query.siteId}`,
            ':from': from,
            ':to': to,
            ...(query.status === undefined ? {} : { ':status': query.status }),
          },
        },
        limit,
        query.cursor,
        studyFromItem,
      );
    }

    // Without a site, page through one status partition after the other; the cursor records which one.
    const statuses = query.status === undefined ? STATUSES : [query.status];
    const cursor = query.cursor === undefined ? { index: 0 } : (decodeCursor(query.cursor) as { index: number; key?: Item });
    const items: StudyRecord[] = [];
    let index = cursor.index;
    let startKey = cursor.key;
    while (index < statuses.length && items.length < limit) {
      const page = await this.queryPage(
        {
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': `STATUS#${statuses[index]}`, ':from': from, ':to': to },
        },
        limit - items.length,
        startKey === undefined ? undefined : encodeCursor(startKey),
        studyFromItem,
      );
      items.push(...page.items);
      if (page.nextCursor !== undefined) {
        startKey = decodeCursor(page.nextCursor) as Item;
      } else {
        index++;
        startKey = undefined;
      }
    }
    const more = index < statuses.length;
    return more ? { items, nextCursor: encodeCursor({ index, ...(startKey ? { key: startKey } : {}) }) } : { items };
  }

  async listAuditEvents(key: StudyKey): Promise<AuditEvent[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': studyPk(key), ':prefix': 'AUDIT#' },
    });
    return items.map((item) => JSON.parse(item.event as string) as AuditEvent);
  }

  async putFeatureSet(featureSet: LesionFeatureSet): Promise<void> {
    const { features, provenance, ...rest } = featureSet;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: studyPk(featureSet),
            sk: featureSk(featureSet.lesionId),
            type: 'featureSet',
            gsi1pk: 'FEATURESETS',
            gsi1sk: `${featureSet.siteId}#${featureSet.studyId}#${featureSet.lesionId}`,
            ...rest,
            // 851 numbers as JSON text (about 40 KB) keep the item far below DynamoDB's 400 KB limit.
            featuresJson: JSON.stringify(features),
            provenanceJson: JSON.stringify(provenance),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR settingsHash <> :hash',
          ExpressionAttributeValues: { ':hash': featureSet.settingsHash },
        }),
      );
    } catch (thrown) {
      if (isConditionFailure(thrown)) return;
      throw storageError(thrown, 'Storing a feature set');
    }
  }

  async getFeatureSet(key: LesionKey): Promise<LesionFeatureSet | undefined> {
    const item = await this.getItem(studyPk(key), featureSk(key.lesionId));
    return item ? featureSetFromItem(item) : undefined;
  }

  async listFeatureSets(key: StudyKey): Promise<LesionFeatureSet[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: '#type = :type',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':pk': studyPk(key), ':prefix': 'LESION#', ':type': 'featureSet' },
    });
    return items.map(featureSetFromItem);
  }

  async scanFeatureSets(cursor: string | undefined, limit: number): Promise<Page<LesionFeatureSet>> {
    return this.queryPage(
      { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': 'FEATURESETS' } },
      Math.max(1, limit),
      cursor,
      featureSetFromItem,
      // The index projects keys only when deployed lean; read the whole item from the table.
      true,
    );
  }

  async putScore(score: LesionScore): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: studyPk(score),
            sk: scoreSk(score.lesionId, score.modelVersion),
            type: 'score',
            gsi2pk: `MODEL#${score.modelVersion}`,
            gsi2sk: `${score.siteId}#${score.studyId}#${score.lesionId}`,
            ...score,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (thrown) {
      if (isConditionFailure(thrown)) return false;
      throw storageError(thrown, 'Storing a score');
    }
  }

  async listScores(key: LesionKey): Promise<LesionScore[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': studyPk(key), ':prefix': `LESION#${key.lesionId}#SCORE#` },
    });
    return items.map(scoreFromItem);
  }

  async putModel(model: ModelRecord): Promise<void> {
    const { card, ...rest } = model;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `MODEL#${model.version}`,
            sk: 'MODEL',
            type: 'model',
            gsi1pk: 'MODELS',
            gsi1sk: `${model.publishedAt}#${model.version}`,
            ...rest,
            cardJson: JSON.stringify(card),
          },
        }),
      );
    } catch (thrown) {
      throw storageError(thrown, 'Storing a model');
    }
  }

  async getModel(version: string): Promise<ModelRecord | undefined> {
    const item = await this.getItem(`MODEL#${version}`, 'MODEL');
    return item ? modelFromItem(item) : undefined;
  }

  async listModels(): Promise<ModelRecord[]> {
    const items = await this.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': 'MODELS' },
    });
    return items.map(modelFromItem);
  }

  async setActiveModel(version: string): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: 'CONFIG', sk: 'ACTIVE_MODEL', type: 'config', version, updatedAt: new Date().toISOString() },
        }),
      );
    } catch (thrown) {
      throw storageError(thrown, 'Activating a model');
    }
  }

  async getActiveModel(): Promise<ModelRecord | undefined> {
    const pointer = await this.getItem('CONFIG', 'ACTIVE_MODEL');
    return typeof pointer?.version === 'string' ? this.getModel(pointer.version) : undefined;
  }

  async siteSummaries(): Promise<SiteSummary[]> {
    const sites = await this.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': 'SITES' },
    });
    const active = await this.getItem('CONFIG', 'ACTIVE_MODEL');

    const summaries: SiteSummary[] = [];
    for (const site of sites) {
      const siteId = site.siteId as string;
      const studiesByStatus: Partial<Record<StudyStatus, number>> = {};
      for (const status of STATUSES) {
        const count = Number(site[`count${status}`] ?? 0);
        if (count > 0) studiesByStatus[status] = count;
      }

      // Lesion counts refer to the active model's scores, so a re-scored lesion is counted once.
      let lesionsScored = 0;
      let lesionsPredictedProgression = 0;
      if (typeof active?.version === 'string') {
        const scores = await this.queryAll({
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :site)',
          ExpressionAttributeValues: { ':pk': `MODEL#${active.version}`, ':site': `${siteId}#` },
        });
        lesionsScored = scores.length;
        lesionsPredictedProgression = scores.filter((score) => score.predictedClass === 'progression').length;
      }
      summaries.push({ siteId, studiesByStatus, lesionsScored, lesionsPredictedProgression });
    }
    return summaries.sort((a, b) => (a.siteId < b.siteId ? -1 : 1));
  }

  private async getItem(pk: string, sk: string): Promise<Item | undefined> {
    try {
      const response = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk, sk }, ConsistentRead: true }));
      return response.Item;
    } catch (thrown) {
      throw storageError(thrown, 'Reading an item');
    }
  }

  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    try {
      do {
        const page = await this.client.send(
          new QueryCommand({ TableName: this.tableName, ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } catch (thrown) {
      throw storageError(thrown, 'Querying items');
    }
    return items;
  }

  /** One page of at most `limit` items; a FilterExpression may need several DynamoDB pages to fill it. */
  private async queryPage<T>(
    query: Omit<QueryCommandInput, 'TableName'>,
    limit: number,
    cursor: string | undefined,
    convert: (item: Item) => T,
    readFromTable = false,
  ): Promise<Page<T>> {
    const items: T[] = [];
    let startKey = cursor === undefined ? undefined : (decodeCursor(cursor) as Item);
    try {
      do {
        const page = await this.client.send(
          new QueryCommand({ TableName: this.tableName, ...query, Limit: limit - items.length, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
        );
        for (const item of page.Items ?? []) {
          const full = readFromTable ? await this.getItem(item.pk as string, item.sk as string) : item;
          if (full) items.push(convert(full));
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey && items.length < limit);
    } catch (thrown) {
      throw storageError(thrown, 'Querying items');
    }
    return startKey ? { items, nextCursor: encodeCursor(startKey) } : { items };
  }
}

function studyItem(study: StudyRecord): Item {
  const item: Item = {
    pk: studyPk(study),
    sk: 'STUDY',
    type: 'study',
    gsi1pk: `SITE#${study.siteId}`,
    gsi1sk: `${study.receivedAt}#${study.studyId}`,
    gsi2pk: `STATUS#${study.status}`,
    gsi2sk: `${study.receivedAt}#${study.siteId}#${study.studyId}`,
  };
  for (const field of STUDY_FIELDS) {
    if (study[field] !== undefined) item[field] = study[field];
  }
  return item;
}

function studyFromItem(item: Item): StudyRecord {
  const record: Record<string, unknown> = {};
  for (const field of STUDY_FIELDS) {
    if (item[field] !== undefined) record[field] = item[field];
  }
  return record as unknown as StudyRecord;
}

function auditItem(event: AuditEvent): Item {
  return {
    pk: studyPk(event),
    sk: `AUDIT#${event.at}#${randomBytes(6).toString('hex')}`,
    type: 'audit',
    event: JSON.stringify(event),
  };
}

/** Moves one study between the site's status counters (and registers the site on first sight). */
function siteCounterUpdate(tableName: string, siteId: string, fromStatus: StudyStatus | null, toStatus: StudyStatus) {
  const names: Record<string, string> = { '#to': `count${toStatus}` };
  const values: Item = { ':one': 1, ':site': siteId, ':sites': 'SITES' };
  let expression = 'SET siteId = :site, gsi1pk = :sites, gsi1sk = :site ADD #to :one';
  if (fromStatus !== null && fromStatus !== toStatus) {
    names['#from'] = `count${fromStatus}`;
    values[':minusOne'] = -1;
    expression += ', #from :minusOne';
  }
  return {
    TableName: tableName,
    Key: { pk: `SITE#${siteId}`, sk: 'SUMMARY' },
    UpdateExpression: expression,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

function featureSetFromItem(item: Item): LesionFeatureSet {
  return {
    siteId: item.siteId as string,
    studyId: item.studyId as string,
    lesionId: item.lesionId as string,
    label: item.label as number,
    maskFile: item.maskFile as string,
    features: JSON.parse(item.featuresJson as string) as Record<string, number>,
    settingsHash: item.settingsHash as string,
    provenance: JSON.parse(item.provenanceJson as string) as Record<string, unknown>,
    ...(item.previewKey === undefined ? {} : { previewKey: item.previewKey as string }),
    extractedAt: item.extractedAt as string,
  };
}

function scoreFromItem(item: Item): LesionScore {
  return {
    siteId: item.siteId as string,
    studyId: item.studyId as string,
    lesionId: item.lesionId as string,
    modelVersion: item.modelVersion as string,
    probability: item.probability as number,
    predictedClass: item.predictedClass as LesionScore['predictedClass'],
    threshold: item.threshold as number,
    scoredAt: item.scoredAt as string,
  };
}

function modelFromItem(item: Item): ModelRecord {
  return {
    version: item.version as string,
    artifactKey: item.artifactKey as string,
    publishedAt: item.publishedAt as string,
    settingsHash: item.settingsHash as string,
    card: JSON.parse(item.cardJson as string) as Record<string, unknown>,
  };
}

function isConditionFailure(thrown: unknown): boolean {
  const error = thrown as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (error.name === 'ConditionalCheckFailedException') return true;
  return error.name === 'TransactionCanceledException' && (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
}

function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw new TypeError('invalid page cursor');
  }
}
