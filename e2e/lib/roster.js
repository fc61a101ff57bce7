// A small roster file with the quirks real ones have, written by the tests themselves.

'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** Unit of every person in the roster; the file spells it with a trailing U+3000 on some rows. */
const ROSTER_UNIT = '国际教育学院';

/** The people the roster adds, as the people list should show them. */
const ROSTER_PEOPLE = [
  { staffId: '00123', name: '欧阳青', office: '汉语国际教育教研室', title: '讲师' },
  { staffId: '00456', name: '司马云', office: '汉语国际教育教研室', title: '副教授' },
  { staffId: '2024007', name: '上官月', office: '', title: '教授' },
];

/**
 * Writes the roster as a UTF-8 CSV with a byte-order mark, the way Excel saves
 * "CSV UTF-8". The file has a title row above the header and staff IDs with leading
 * zeros. Two rows spell the unit with a trailing ideographic space (U+3000), and a
 * 合计 footer row ends the file.
 * Returns `{ file, footerRow, remove }`: `footerRow` is the footer's line number in
 * the file, and `remove()` deletes the file's temporary folder.
 */
function writeRosterCsv() {
  const lines = [
    '2024年秋季学期教职工名单,,,,',
    '工号,姓名,单位,教研室,职称',
    `00123,欧阳青,${ROSTER_UNIT}\u3000,汉语国际教育教研室,讲师`,
    `00456,司马云,${ROSTER_UNIT}\u3000,汉语国际教育教研室,副教授`,
    `2024007,上官月,${ROSTER_UNIT},,教授`,
    '合计,3人,,,',
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xueshi-e2e-roster-'));
  const file = path.join(dir, '教职工名单.csv');
  fs.writeFileSync(file, `\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  return { file, footerRow: lines.length, remove };
}

module.exports = { ROSTER_PEOPLE, ROSTER_UNIT, writeRosterCsv };
