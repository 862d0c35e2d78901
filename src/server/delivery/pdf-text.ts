// Text on a delivery PDF in the font that can draw it (src/server/delivery/fonts.ts), shrunk to fit
// its column rather than cut or run into the next one.
import type PDFDocument from 'pdfkit';
import type { FontBytes, FontCoverage } from './fonts';

export type Doc = InstanceType<typeof PDFDocument>;

export function registerFonts(doc: Doc, fonts: FontBytes): void {
  doc.registerFont('latin', fonts.latin);
  doc.registerFont('latinBold', fonts.latinBold);
  doc.registerFont('han', fonts.han);
  doc.registerFont('hanBold', fonts.hanBold);
}

export interface LineStyle {
  size: number;
  bold?: boolean;
  color?: string;
  /** Shrink to fit this width, down to `minSize`. */
  width?: number;
  minSize?: number;
}

/** One line at (x, y) (top of the line), font by font, shrunk to fit; returns the size used. */
export function drawLine(doc: Doc, coverage: FontCoverage, text: string, x: number, y: number, style: LineStyle): number {
  const runs = coverage.runs(text);
  const fontOf = (f: 'latin' | 'han') => (style.bold ? `${f}Bold` : f);
  let size = style.size;
  if (style.width !== undefined) {
    let width = 0;
    for (const run of runs) width += doc.font(fontOf(run.font)).fontSize(size).widthOfString(run.text);
    if (width > style.width) size = Math.max(style.minSize ?? size * 0.6, (size * style.width) / width);
  }
  doc.fillColor(style.color ?? '#000');
  let cx = x;
  for (const run of runs) {
    doc.font(fontOf(run.font)).fontSize(size);
    doc.text(run.text, cx, y, { lineBreak: false });
    if (runs.length > 1) cx += doc.widthOfString(run.text);
  }
  return size;
}

/** Flowing text (a paragraph) in the one font that can draw it whole, or Noto Sans SC. */
export function drawParagraph(doc: Doc, coverage: FontCoverage, text: string, style: { size: number; bold?: boolean; color?: string; gap?: number }): void {
  const runs = coverage.runs(text);
  const base = runs.length === 1 ? runs[0]!.font : 'han';
  doc.font(style.bold ? `${base}Bold` : base).fontSize(style.size).fillColor(style.color ?? '#000');
  doc.text(text, { paragraphGap: style.gap ?? 4 });
}
