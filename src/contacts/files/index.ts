export { openSheet } from './sheet.js';
export type { OpenSheetOptions, Sheet, SheetEncoding, SheetFormat, SheetRow } from './sheet.js';
