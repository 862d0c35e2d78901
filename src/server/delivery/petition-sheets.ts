// data/petition.pdf: the signature sheets, laid out as petition sheets are. At most 20 signers a
// page; each page headed by the title of the text its signers signed (and which version), "page x
// of y" and the page's count; numbered rows with the chosen fields, the day signed, "signed with
// assistance" where so, and the autograph drawn from its strokes (autograph-paths.ts). Pages are
// written as they are finished (pdfkit without bufferPages), so the sheet never holds more than a page.
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import type { DeliveryOptions } from '../../shared/delivery';
import { autographOperators } from './autograph-paths';
import type { DriveFacts, PetitionVersionFacts } from './drive-facts';
import type { FontBytes, FontCoverage } from './fonts';
import { drawLine, lineOps, lineWidth, registerFonts, type Doc, type LineStyle } from './pdf-text';
import { ROWS_PER_PAGE, type PackagePlan } from './selection';
import type { SignatureRow } from './signature-rows';

// US Letter, in points; half-inch margins.
const PAGE = { width: 612, height: 792, margin: 36 } as const;
const TABLE_TOP = 112;
const ROW_HEIGHT = 31;
const COLUMNS = { number: 36, name: 64, address: 218, date: 380, autograph: 436, end: 576 } as const;
const GREY = '#555';
const RULE_RGB = '0.6 0.6 0.6';

const HAN = /^[\p{Script=Han}\s]+$/u;

/** A name as its owner writes it: Chinese family name first, no space; otherwise given, family. */
export function displayName(row: Pick<SignatureRow, 'given_name' | 'family_name'>): string {
  return HAN.test(row.given_name) && HAN.test(row.family_name) ? `${row.family_name.trim()}${row.given_name.trim()}` : `${row.given_name} ${row.family_name}`;
}

export const LANGUAGE_NAMES: Record<string, string> = { en: 'English', es: 'Español', 'zh-Hans': '简体中文' };

export interface SheetContext {
  drive: DriveFacts;
  options: DeliveryOptions;
  plan: PackagePlan;
  fonts: FontBytes;
  coverage: FontCoverage;
  /** Ids of delivered rows with a field no font can draw. */
  unrenderable: ReadonlySet<string>;
  createdAt: Date;
}

export class PetitionSheets {
  private readonly doc: Doc;
  private readonly done: Promise<void>;
  private readonly out: WriteStream;
  private page = 0;
  private rowOnPage = 0;
  private version: PetitionVersionFacts | undefined;
  private versionLeft = 0;
  private number = 0;

  constructor(
    file: string,
    private readonly ctx: SheetContext,
  ) {
    this.doc = new PDFDocument({
      size: 'LETTER',
      margin: 0,
      autoFirstPage: false,
      info: { Title: `${ctx.drive.title} — signature sheets`, Creator: 'Fieldpen', CreationDate: ctx.createdAt },
    });
    registerFonts(this.doc, ctx.fonts);
    const out = createWriteStream(file);
    this.out = out;
    this.doc.pipe(out);
    this.done = finished(out);
  }

  get pagesDone(): number {
    return Math.max(0, this.page - 1);
  }

  /** Sheets of the next text version start on a new page. */
  startVersion(version: string, signatures: number): void {
    this.version = this.ctx.drive.versions.find((v) => v.version === version) ?? {
      version,
      language: '',
      title: this.ctx.drive.title,
      text: '',
      createdAt: '',
    };
    this.versionLeft = signatures;
    this.rowOnPage = ROWS_PER_PAGE;
  }

  /** Add the next delivered signer; returns the row number in the delivery. */
  addRow(row: SignatureRow): number {
    if (this.rowOnPage >= ROWS_PER_PAGE) this.newPage();
    const doc = this.doc;
    const { coverage, options } = this.ctx;
    const y = TABLE_TOP + this.rowOnPage * ROW_HEIGHT;
    this.number++;
    this.rowOnPage++;
    this.versionLeft--;
    const missing = this.ctx.unrenderable.has(row.id);
    const printable = (text: string) => (missing && coverage.missingCharacters(text).length > 0 ? `(see row ${this.number} of signatures.csv)` : text);

    const text: string[] = [];
    const put = (t: string, x: number, ty: number, style: LineStyle) => text.push(lineOps(doc, coverage, t, x, ty, style).ops);
    put(String(this.number), COLUMNS.number, y + 4, { size: 8, color: GREY });
    put(printable(displayName(row)), COLUMNS.name, y + 3, { size: 10, width: COLUMNS.address - COLUMNS.name - 6, minSize: 6 });
    if (row.assisted) put('signed with assistance', COLUMNS.name, y + 17, { size: 7, color: GREY });

    const addressWidth = COLUMNS.date - COLUMNS.address - 6;
    const lines = [
      ...(options.fields.street ? [printable(row.street)] : []),
      `${printable(row.city)}, ${row.state} ${row.zip}`,
      ...(options.fields.email && row.email ? [row.email] : []),
    ];
    const lineHeight = lines.length > 2 ? 9 : 11;
    lines.forEach((line, i) => put(line, COLUMNS.address, y + 3 + i * lineHeight, { size: lines.length > 2 ? 7.5 : 8.5, width: addressWidth, minSize: 5.5 }));
    put(this.ctx.drive.dayOf(row.captured_at), COLUMNS.date, y + 4, { size: 8 });

    // One content chunk per row: pdfkit copies every chunk it is handed, so fewer is faster.
    const rule = `q 0.4 w ${RULE_RGB} RG ${PAGE.margin} ${y + ROW_HEIGHT} m ${COLUMNS.end} ${y + ROW_HEIGHT} l S Q`;
    const autograph = row.autograph
      ? autographOperators(row.autograph, { x: COLUMNS.autograph + 2, y: y + 2, width: COLUMNS.end - COLUMNS.autograph - 4, height: ROW_HEIGHT - 5 }).ops
      : '';
    doc.addContent(`q 1 0 0 -1 0 ${PAGE.height} cm ${text.join(' ')} Q\n${autograph}\n${rule}`);
    return this.number;
  }

  private newPage(): void {
    const doc = this.doc;
    const { coverage, plan, drive } = this.ctx;
    const version = this.version!;
    doc.addPage({ size: 'LETTER', margin: 0 });
    this.page++;
    this.rowOnPage = 0;
    const onPage = Math.min(ROWS_PER_PAGE, this.versionLeft);
    const right = PAGE.width - PAGE.margin;

    drawLine(doc, coverage, version.title, PAGE.margin, PAGE.margin, { size: 13, bold: true, width: 400, minSize: 8 });
    const language = LANGUAGE_NAMES[version.language] ?? version.language;
    drawLine(doc, coverage, `Petition text: ${language}, version ${version.version.slice(0, 12)}`, PAGE.margin, PAGE.margin + 20, {
      size: 8,
      color: GREY,
      width: 400,
      minSize: 6,
    });
    drawLine(doc, coverage, `${drive.title}${plan.state ? ` — ${plan.state}` : ''}`, PAGE.margin, PAGE.margin + 32, {
      size: 8,
      color: GREY,
      width: 400,
      minSize: 6,
    });
    const pageText = `Page ${this.page} of ${plan.pages}`;
    const countText = `Signatures on this page: ${onPage}`;
    drawLine(doc, coverage, pageText, right - lineWidth(doc, coverage, pageText, { size: 10, bold: true }), PAGE.margin, { size: 10, bold: true });
    drawLine(doc, coverage, countText, right - lineWidth(doc, coverage, countText, { size: 8 }), PAGE.margin + 16, { size: 8 });

    const head = TABLE_TOP - 14;
    for (const [label, x] of [
      ['No.', COLUMNS.number],
      ['Name', COLUMNS.name],
      ['Address', COLUMNS.address],
      ['Date signed', COLUMNS.date],
      ['Signature', COLUMNS.autograph],
    ] as const) {
      drawLine(doc, coverage, label, x, head, { size: 8, bold: true });
    }
    doc
      .moveTo(PAGE.margin, TABLE_TOP - 2)
      .lineTo(COLUMNS.end, TABLE_TOP - 2)
      .lineWidth(0.8)
      .strokeColor('#000')
      .stroke();
    const footer = `Fieldpen delivery of ${this.ctx.createdAt.toISOString().slice(0, 10)}. Record ids and digests of every row: data/signatures.csv.`;
    drawLine(doc, coverage, footer, PAGE.margin, PAGE.height - PAGE.margin - 8, { size: 7, color: GREY });
  }

  /** Finish the file; resolves once it is on disk. */
  async end(): Promise<void> {
    this.doc.end();
    await this.done;
  }

  /**
   * Let the file stream catch up before more pages are made (bounded memory on a slow disk): pdfkit
   * keeps producing pages while its pipe waits, so a page yielded for but not waited for piled up in
   * memory when the disk was busy (up to about 20 MB more peak in delivery_100k_peak_rss_mb).
   */
  async drain(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.out.writableNeedDrain && !this.out.destroyed) await once(this.out, 'drain');
  }
}
