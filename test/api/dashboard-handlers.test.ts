import { describe, expect, it } from 'vitest';

import { artifactKeys, rescoreExecutionName } from '../../functions/publish-model/index';

describe('publish-model event parsing', () => {
  it('reads the artifact key of an EventBridge event', () => {
    expect(artifactKeys({ detail: { object: { key: 'models/demo-v2.json' } } })).toEqual(['models/demo-v2.json']);
  });

  it('decodes S3 notification keys', () => {
    const keys = artifactKeys({ Records: [{ s3: { object: { key: 'models/demo%2Dv2.json' } } }, { s3: { object: { key: 'models/x+y.json' } } }] });

    // "%2D" decodes to "-"; "+" decodes to a space, which no model version contains.
    expect(keys).toEqual(['models/demo-v2.json']);
  });

  it.each(['models/demo-v2.report.html', 'models/demo-v2/figures/roc.svg', 'incoming/site-a/s.zip', 'models/../x.json'])('ignores %s', (key) => {
    expect(artifactKeys({ detail: { object: { key } } })).toEqual([]);
  });
});

describe('rescoreExecutionName', () => {
  it('keeps allowed characters only', () => {
    expect(rescoreExecutionName('demo-synthetic.v2')).toBe('rescore-demo-synthetic-v2');
  });

  it('fits the 80-character limit', () => {
    expect(rescoreExecutionName('a'.repeat(64)).length).toBeLessThanOrEqual(80);
  });
});
