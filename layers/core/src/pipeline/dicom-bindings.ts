// The DICOM entry points of the image-input area that the workflow uses, gathered in one place.
export { auditDeidentification } from '../deid';
export { loadDicomSeriesAsync, loadMask } from '../io';
