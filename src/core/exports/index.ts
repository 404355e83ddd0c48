export { noteExportFileName, writeExportFile, ExportFileNameError } from './export-file';
export { renderNotePdf, NotePdfError, type NotePdfErrorCode, type NotePdfInput } from './note-pdf';
export { renderPdf, type PdfFrame, type RenderedPdf } from './pdf-document';
export { warmUpPdfRenderer } from './warm-up';
