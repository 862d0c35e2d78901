// data/cover-letter.pdf: what the recipient reads first. The drive's cover letter (as the organizer
// wrote it in the drive form), the recipient, the drive's title, every text that was signed with how
// many signed it, the total delivered, the collection period and the counts per state and city.
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import { perCity, perState } from './counts';
import type { DriveFacts } from './drive-facts';
import type { FontBytes, FontCoverage } from './fonts';
import { drawLine, drawParagraph, lineWidth, registerFonts } from './pdf-text';
import { LANGUAGE_NAMES } from './petition-sheets';
import type { PackagePlan } from './selection';

const MARGIN = 54;
const GREY = '#555';

export async function writeCoverLetter(
  file: string,
  ctx: { drive: DriveFacts; plan: PackagePlan; fonts: FontBytes; coverage: FontCoverage; createdAt: Date },
): Promise<void> {
  const { drive, plan, coverage } = ctx;
  const doc = new PDFDocument({
    size: 'LETTER',
    margin: MARGIN,
    info: { Title: `${drive.title} — cover letter`, Creator: 'Fieldpen', CreationDate: ctx.createdAt },
  });
  registerFonts(doc, ctx.fonts);
  const out = createWriteStream(file);
  doc.pipe(out);
  const done = finished(out);
  const n = (x: number) => x.toLocaleString('en-US');
  const space = (lines = 0.6) => doc.moveDown(lines);

  drawParagraph(doc, coverage, ctx.createdAt.toISOString().slice(0, 10), { size: 10, color: GREY });
  if (drive.recipient) drawParagraph(doc, coverage, `To: ${drive.recipient}`, { size: 11 });
  space();
  drawParagraph(doc, coverage, drive.title + (plan.state ? ` — ${plan.state}` : ''), { size: 16, bold: true });
  space(0.3);
  if (drive.coverLetter) {
    for (const paragraph of drive.coverLetter.split(/\n\s*\n/)) drawParagraph(doc, coverage, paragraph.trim(), { size: 11, gap: 6 });
    space();
  }

  drawParagraph(doc, coverage, 'Summary', { size: 13, bold: true });
  drawParagraph(doc, coverage, `Signatures delivered: ${n(plan.signatures)} on ${n(plan.pages)} numbered signature pages (petition.pdf).`, {
    size: 11,
    gap: 2,
  });
  if (plan.firstDay && plan.lastDay) drawParagraph(doc, coverage, `Collected from ${plan.firstDay} to ${plan.lastDay}.`, { size: 11, gap: 2 });
  drawParagraph(
    doc,
    coverage,
    'Every row is also in signatures.csv with its record id and digest; counts.csv has the counts per state, city and day. The checksums of every file are in the bag’s manifest.',
    { size: 9, color: GREY },
  );
  space();

  drawParagraph(doc, coverage, plan.versions.length > 1 ? 'The petition, in every text that was signed' : 'The petition', { size: 13, bold: true });
  for (const v of plan.versions) {
    const facts = drive.versions.find((f) => f.version === v.version);
    const language = facts ? (LANGUAGE_NAMES[facts.language] ?? facts.language) : 'unknown text';
    drawParagraph(doc, coverage, `${language} — version ${v.version.slice(0, 12)} — signed by ${n(v.signatures)}`, { size: 9, color: GREY, gap: 2 });
    if (facts) {
      drawParagraph(doc, coverage, facts.title, { size: 11, bold: true, gap: 2 });
      drawParagraph(doc, coverage, facts.text, { size: 10, gap: 8 });
    }
  }
  space();

  drawParagraph(doc, coverage, 'Signatures per state and city', { size: 13, bold: true });
  const cities = perCity(plan);
  const states = perState(plan);
  const rowHeight = 14;
  const columns = [MARGIN, MARGIN + 60, MARGIN + 360] as const;
  const line = (cells: [string, string, string], bold = false) => {
    if (doc.y + rowHeight > doc.page.height - MARGIN) doc.addPage();
    const y = doc.y;
    drawLine(doc, coverage, cells[0], columns[0], y, { size: 9, bold });
    drawLine(doc, coverage, cells[1], columns[1], y, { size: 9, bold, width: 290, minSize: 6 });
    drawLine(doc, coverage, cells[2], columns[2] + 80 - lineWidth(doc, coverage, cells[2], { size: 9, bold }), y, { size: 9, bold });
    doc.x = MARGIN;
    doc.y = y + rowHeight;
  };
  line(['State', 'City', 'Signatures'], true);
  for (const state of states) {
    for (const c of cities.filter((c) => c.state === state.state)) line([c.state, c.city, n(c.signatures)]);
    line([state.state, 'all cities', n(state.signatures)], true);
  }
  line(['All', '', n(plan.signatures)], true);

  doc.end();
  await done;
}
