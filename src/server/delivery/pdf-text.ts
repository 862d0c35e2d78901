// Text on a delivery PDF in the font that can draw it (src/server/delivery/fonts.ts), shrunk to fit
// its column rather than cut or run into the next one.
import type PDFDocument from 'pdfkit';
import { parsedFont, type FontBytes, type FontCoverage } from './fonts';

export type Doc = InstanceType<typeof PDFDocument>;

/** pdfkit takes a parsed fontkit font as well as bytes (its PDFFontFactory.open); its types say bytes only. */
type FontSource = Parameters<Doc['registerFont']>[1];

export function registerFonts(doc: Doc, fonts: FontBytes): void {
  doc.registerFont('latin', parsedFont(fonts.latin) as unknown as FontSource);
  doc.registerFont('latinBold', parsedFont(fonts.latinBold) as unknown as FontSource);
  doc.registerFont('han', parsedFont(fonts.han) as unknown as FontSource);
}

/** The registered font for a run: Latin in two weights, Han in one. */
const fontName = (font: 'latin' | 'han', bold: boolean | undefined) => (bold && font === 'latin' ? 'latinBold' : font);

export interface LineStyle {
  size: number;
  bold?: boolean;
  color?: string;
  /** Shrink to fit this width, down to `minSize`. */
  width?: number;
  minSize?: number;
}

/** What pdfkit's embedded font object holds (not in its typings): the fontkit font and its subset. */
interface EmbeddedFont {
  id: string;
  ascender: number;
  scale: number;
  font: { glyphForCodePoint(cp: number): { id: number; advanceWidth: number } };
  subset: { includeGlyph(id: number): number };
  widths: number[];
  unicode: number[][];
  ref(): unknown;
}

interface Glyph {
  hex: string;
  /** Advance in thousandths of the font size. */
  width: number;
}

const glyphCache = new WeakMap<EmbeddedFont, Map<number, Glyph>>();

/**
 * A character's glyph in the font's subset, as pdfkit's own encode records it (width and Unicode
 * for text extraction), but without OpenType shaping: fontkit's layout of every new word was most
 * of a sheet's time, and names, addresses and dates need no ligatures (the text is NFC, so accented
 * letters are single glyphs).
 */
function glyphOf(font: EmbeddedFont, cp: number): Glyph {
  let cache = glyphCache.get(font);
  if (!cache) glyphCache.set(font, (cache = new Map()));
  let glyph = cache.get(cp);
  if (!glyph) {
    const g = font.font.glyphForCodePoint(cp);
    const gid = font.subset.includeGlyph(g.id);
    font.widths[gid] ??= g.advanceWidth * font.scale;
    font.unicode[gid] ??= [cp];
    glyph = { hex: gid.toString(16).padStart(4, '0'), width: g.advanceWidth * font.scale };
    cache.set(cp, glyph);
  }
  return glyph;
}

function encode(font: EmbeddedFont, text: string): { hex: string; width: number } {
  let hex = '';
  let width = 0;
  for (const ch of text) {
    const glyph = glyphOf(font, ch.codePointAt(0)!);
    hex += glyph.hex;
    width += glyph.width;
  }
  return { hex, width };
}

function textWidth(font: EmbeddedFont, text: string, size: number): number {
  let width = 0;
  for (const ch of text) width += glyphOf(font, ch.codePointAt(0)!).width;
  return (width * size) / 1000;
}

function fontObject(doc: Doc, name: string): EmbeddedFont {
  doc.font(name);
  return (doc as unknown as { _font: EmbeddedFont })._font;
}

const num = (v: number) => String(Math.round(v * 1000) / 1000);

const colors = new Map<string, string>();
function rgb(hex: string): string {
  let op = colors.get(hex);
  if (op === undefined) colors.set(hex, (op = rgbOf(hex)));
  return op;
}
function rgbOf(hex: string): string {
  const v = parseInt(hex.replace('#', '').replace(/^(.)(.)(.)$/, '$1$1$2$2$3$3'), 16);
  return `${num(((v >> 16) & 255) / 255)} ${num(((v >> 8) & 255) / 255)} ${num((v & 255) / 255)} rg`;
}

/**
 * One line at (x, y) (top of the line), font by font, shrunk to fit; returns the size used. Written
 * as content operators through pdfkit's embedded fonts (which subset, measure and map to Unicode)
 * but without pdfkit's text layout: that was most of the time of a 25,000-signer sheet.
 */
export function drawLine(doc: Doc, coverage: FontCoverage, text: string, x: number, y: number, style: LineStyle): number {
  const line = lineOps(doc, coverage, text, x, y, style);
  if (line.ops) doc.addContent(`q 1 0 0 -1 0 ${num(doc.page.height)} cm ${line.ops} Q`);
  return line.size;
}

/**
 * The operators of drawLine, for a caller that gathers a whole row into one content chunk: they
 * assume PDF's own coordinates (origin bottom left), i.e. inside `q 1 0 0 -1 0 <height> cm … Q`.
 */
export function lineOps(doc: Doc, coverage: FontCoverage, text: string, x: number, y: number, style: LineStyle): { ops: string; size: number } {
  if (!text) return { ops: '', size: style.size };
  const runs = coverage.runs(text.normalize('NFC')).map((run) => ({ ...run, font: fontObject(doc, fontName(run.font, style.bold)) }));
  let size = style.size;
  if (style.width !== undefined) {
    let width = 0;
    for (const run of runs) width += textWidth(run.font, run.text, size);
    if (width > style.width) size = Math.max(style.minSize ?? size * 0.6, (size * style.width) / width);
  }
  const pageHeight = doc.page.height;
  const fonts = (doc.page as unknown as { fonts: Record<string, unknown> }).fonts;
  let ops = `${rgb(style.color ?? '#000')} BT`;
  let cx = x;
  for (const run of runs) {
    const font = run.font;
    if (fonts[font.id] == null) fonts[font.id] = font.ref();
    const { hex, width } = encode(font, run.text);
    ops += ` 1 0 0 1 ${num(cx)} ${num(pageHeight - y - (font.ascender / 1000) * size)} Tm /${font.id} ${num(size)} Tf <${hex}> Tj`;
    cx += (width * size) / 1000;
  }
  return { ops: `${ops} ET`, size };
}

/** The width of a line as drawLine draws it. */
export function lineWidth(doc: Doc, coverage: FontCoverage, text: string, style: { size: number; bold?: boolean }): number {
  let width = 0;
  for (const run of coverage.runs(text.normalize('NFC'))) width += textWidth(fontObject(doc, fontName(run.font, style.bold)), run.text, style.size);
  return width;
}

/** Flowing text (a paragraph) in the one font that can draw it whole, or Noto Sans SC. */
export function drawParagraph(doc: Doc, coverage: FontCoverage, text: string, style: { size: number; bold?: boolean; color?: string; gap?: number }): void {
  const runs = coverage.runs(text);
  const base = runs.length === 1 ? runs[0]!.font : 'han';
  doc
    .font(fontName(base, style.bold))
    .fontSize(style.size)
    .fillColor(style.color ?? '#000');
  doc.text(text, { paragraphGap: style.gap ?? 4 });
}
