/**
 * A small RFC 4180 CSV reader and writer for the modelling inputs and outputs (feature tables, labels,
 * predictions): comma separated, optional double quotes with "" as an escaped quote, CRLF or LF line ends,
 * a UTF-8 byte-order mark ignored. Numbers are read with `Number`, which is locale-independent.
 */
import { RadiomicsError } from '../errors';

export interface CsvTable {
  header: string[];
  rows: string[][];
}

/** Parses CSV text whose first record is the header; every record must have as many fields as the header. */
export function parseCsv(text: string, source: string): CsvTable {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let inQuotes = false;
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let fieldStarted = false;

  const endRecord = (): void => {
    record.push(field);
    // A blank line is skipped rather than read as one empty field.
    if (!(record.length === 1 && record[0] === '' && !fieldStarted)) records.push(record);
    record = [];
    field = '';
    fieldStarted = false;
  };

  for (; position < text.length; position++) {
    const char = text[position];
    if (inQuotes) {
      if (char === '"') {
        if (text[position + 1] === '"') {
          field += '"';
          position++;
        } else inQuotes = false;
      } else field += char;
    } else if (char === '"') {
      inQuotes = true;
      fieldStarted = true;
    } else if (char === ',') {
      record.push(field);
      field = '';
      fieldStarted = true;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[position + 1] === '\n') position++;
      endRecord();
    } else {
      field += char;
      fieldStarted = true;
    }
  }
  if (inQuotes) throw new RadiomicsError('DATA_INVALID', `${source}: a quoted field is not closed before the end of the file.`);
  if (field !== '' || record.length > 0 || fieldStarted) endRecord();

  if (records.length === 0) throw new RadiomicsError('DATA_INVALID', `${source}: the file is empty; expected a header row.`);
  const header = records[0].map((name) => name.trim());
  const rows = records.slice(1);
  rows.forEach((row, index) => {
    if (row.length !== header.length) {
      throw new RadiomicsError(
        'DATA_INVALID',
        `${source}: line ${index + 2} has ${row.length} fields but the header has ${header.length}.`,
      );
    }
  });
  return { header, rows };
}

/** Finds the first header column among `candidates` (case-insensitive); returns -1 when none is present. */
export function findColumn(header: string[], candidates: string[]): number {
  const lower = header.map((name) => name.toLowerCase());
  for (const candidate of candidates) {
    const index = lower.indexOf(candidate.toLowerCase());
    if (index >= 0) return index;
  }
  return -1;
}

function quoteField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Writes a header and rows as CSV with LF line ends; numbers use JavaScript's shortest round-trip form. */
export function formatCsv(header: string[], rows: (string | number | null)[][]): string {
  const lines = [header.map(quoteField).join(',')];
  for (const row of rows) lines.push(row.map((value) => (value === null ? '' : quoteField(String(value)))).join(','));
  return `${lines.join('\n')}\n`;
}
