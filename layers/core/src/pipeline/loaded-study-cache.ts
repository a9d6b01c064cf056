/**
 * Hand-over of a loaded study from ValidateStudy to PrepareLesions when both run in the same process, which the
 * local runner arranges. It saves decoding the CT series and rasterising the masks twice. One study is kept at a
 * time and taken out by its first reader. The Lambda functions leave it off (`reuseLoadedStudy`), because the two
 * steps run in different functions there.
 */
import type { ImageVolume, LabelVolume } from '../image/volume';

export interface LoadedStudyEntry {
  readonly image: ImageVolume;
  readonly masks: ReadonlyMap<string, LabelVolume>;
}

let entry: { key: string; study: LoadedStudyEntry } | undefined;

/** Identifies one upload under one execution: a re-upload or another run never reuses a stale study. */
export function loadedStudyKey(run: { uploadKey: string; executionName: string }): string {
  return `${run.executionName}\u0000${run.uploadKey}`;
}

export function keepLoadedStudy(key: string, study: LoadedStudyEntry): void {
  entry = { key, study };
}

/** Returns the study kept under `key` and drops it, or undefined when another study (or none) is kept. */
export function takeLoadedStudy(key: string): LoadedStudyEntry | undefined {
  if (entry?.key !== key) return undefined;
  const { study } = entry;
  entry = undefined;
  return study;
}
