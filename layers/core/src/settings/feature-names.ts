import { FIRST_ORDER_DEPRECATED_NAMES, FIRST_ORDER_FEATURE_NAMES } from '../features/firstorder';
import { GLCM_FEATURE_NAMES } from '../features/glcm';
import { GLDM_FEATURE_NAMES } from '../features/gldm';
import { GLRLM_FEATURE_NAMES } from '../features/glrlm';
import { GLSZM_FEATURE_NAMES } from '../features/glszm';
import { NGTDM_FEATURE_NAMES } from '../features/ngtdm';
import { DEPRECATED_SHAPE_FEATURE_NAMES, SHAPE_FEATURE_NAMES } from '../features/shape';
import type { FeatureClassName } from './types';

export { SHAPE_FEATURE_NAMES };

/** Features of each class enabled when the class is listed without names (PyRadiomics' default set). */
export const DEFAULT_FEATURES: Readonly<Record<FeatureClassName, readonly string[]>> = {
  shape: SHAPE_FEATURE_NAMES,
  firstorder: FIRST_ORDER_FEATURE_NAMES,
  glcm: GLCM_FEATURE_NAMES,
  glrlm: GLRLM_FEATURE_NAMES,
  glszm: GLSZM_FEATURE_NAMES,
  gldm: GLDM_FEATURE_NAMES,
  ngtdm: NGTDM_FEATURE_NAMES,
};

/** Deprecated features that are computed only when named explicitly. */
export const DEPRECATED_FEATURES: Readonly<Record<FeatureClassName, readonly string[]>> = {
  shape: DEPRECATED_SHAPE_FEATURE_NAMES,
  firstorder: FIRST_ORDER_DEPRECATED_NAMES,
  glcm: [],
  glrlm: [],
  glszm: [],
  gldm: [],
  ngtdm: [],
};
