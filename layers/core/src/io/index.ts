// Medical image input: NIfTI, NRRD, DICOM CT series and segmentations, in LPS patient space.
export { readNifti, writeNifti, type NiftiReadResult, type NiftiTransformSource, type WriteNiftiOptions } from './nifti';
export { readNrrd, type ReadNrrdOptions } from './nrrd';
export * from '../geometry';
export * from '../roi';
export * from '../resample';
export { isPart10, parseDicomFile, type DataSet } from './dicom/dataset';
export { prepareDicomCodecs } from './dicom/pixels';
export {
  dicomSeriesOf,
  loadDicomSeries,
  loadDicomSeriesAsync,
  type DicomInputFile,
  type DicomSeriesInfo,
  type LoadDicomSeriesOptions,
  type LoadedDicomSeries,
} from './dicom/series';
export * from '../deid';
export { listRtStructRois, rasteriseRtStruct, type RasteriseOptions, type RasterisedRtStruct, type RtStructRoi } from './dicom/rtstruct';
export { loadSeg, type LoadSegOptions, type SegSegment } from './dicom/seg';
export { detectFormat, loadMask, loadMaskWithReport, toLabelVolume, type ImageFormat, type LoadedMask, type LoadMaskOptions, type MaskFormat } from './mask';
export { loadImagePath, loadMaskPath, type LoadedImage } from './paths';
