// The administrator imports a staff roster from the page: upload, preview, confirm,
// then finds the new people in the people list filtered by unit.

'use strict';

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const { startServer } = require('../lib/server');
const {
  DESKTOP,
  clickAndWaitForPage,
  launchBrowser,
  newPage,
  screenshot,
  signInAdminFirstTime,
} = require('../lib/browser');
const { ROSTER_PEOPLE, ROSTER_UNIT, writeRosterCsv } = require('../lib/roster');

/** Reads the text of every cell of every body row of the tables inside `scope`. */
async function tableRows(scope) {
  return scope.locator('table tbody tr').evaluateAll((rows) =>
    rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent.trim())),
  );
}

/** Uploads the roster on /admin/import/roster and waits for the preview. */
async function uploadRoster(page, server, file) {
  await page.goto(`${server.url}/admin/import/roster`);
  await page.getByLabel('名单文件').setInputFiles(file);
  await page.getByRole('button', { name: '上传并预览' }).click();
  const preview = page.locator('#preview');
  await preview.waitFor();
  return preview;
}

describe('roster import page', () => {
  let server;
  let browser;
  let page;
  let roster;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    roster = writeRosterCsv();
    page = await newPage(browser, DESKTOP);
    await signInAdminFirstTime(page, server);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    roster?.remove();
  });

  test('preview lists new people and the footer', async () => {
    const preview = await uploadRoster(page, server, roster.file);

    await preview.getByRole('heading', { name: '预览：教职工名单.csv' }).waitFor();
    const created = preview.locator('.stat').filter({ hasText: '新增' }).locator('.value');
    assert.equal(await created.textContent(), '3', 'the preview must count 3 new people');
    const updated = preview.locator('.stat').filter({ hasText: '更新' }).locator('.value');
    assert.equal(await updated.textContent(), '0');
    const errors = preview.locator('.stat').filter({ hasText: '错误' }).locator('.value');
    assert.equal(await errors.textContent(), '0');

    const summary = await preview.locator('.notice').textContent();
    assert.match(summary, /新增 3 人/);
    assert.match(summary, /跳过 1 行/);

    await preview.getByRole('heading', { name: '已跳过的行（1）' }).waitFor();
    const skipped = await preview.getByText(`第 ${roster.footerRow} 行：`).textContent();
    assert.match(skipped, /表尾行（合计/, `row ${roster.footerRow} must be skipped as a 合计 footer`);

    const newUnits = await preview.getByText('将新建单位：').textContent();
    assert.match(newUnits, new RegExp(`将新建单位：${ROSTER_UNIT}（`), 'the unit must be created once, trimmed');
    assert.ok(!newUnits.includes('\u3000'), 'the new unit name must not keep the ideographic space');

    const rows = await tableRows(preview.locator('.table-wrap').last());
    const rowNumbers = rows.map((cells) => cells[0]);
    assert.deepEqual(rowNumbers, ['3', '4', '5'], 'the header must be found on row 2, below the title row');
    const staffIds = rows.map((cells) => cells[1]);
    assert.deepEqual(staffIds, ROSTER_PEOPLE.map((person) => person.staffId));
    for (const cells of rows) {
      assert.equal(cells[3], '新增', `row ${cells[0]} must be listed as 新增`);
    }
    await screenshot(page, 'import-preview');
  });

  test('confirm writes and lists people per unit', async () => {
    const preview = page.locator('#preview');
    await clickAndWaitForPage(page, preview.getByRole('button', { name: '确认导入' }));

    assert.equal(new URL(page.url()).pathname, '/admin/people', 'confirming must lead to the people list');
    const flash = await page.getByRole('status').textContent();
    assert.match(flash, /导入完成：新增 3 人/);

    const unitFilter = page.locator('form.filters').getByLabel('单位');
    const unitOptions = await unitFilter.locator('option').allTextContents();
    const matching = unitOptions.filter((label) => label.includes(ROSTER_UNIT));
    assert.deepEqual(matching, [ROSTER_UNIT], 'the unit list must hold the new unit once, without spaces');

    await unitFilter.selectOption({ label: ROSTER_UNIT });
    await clickAndWaitForPage(page, page.getByRole('button', { name: '筛选' }));

    assert.ok(new URL(page.url()).searchParams.get('unit'), 'the filter must be in the address');
    await page.getByText('共 3 人').waitFor();
    const rows = await tableRows(page.locator('.table-wrap'));
    const byStaffId = new Map(rows.map((cells) => [cells[0], cells]));
    for (const person of ROSTER_PEOPLE) {
      const cells = byStaffId.get(person.staffId);
      assert.ok(cells, `${person.staffId} (${person.name}) must be listed under ${ROSTER_UNIT}; rows: ${JSON.stringify(rows)}`);
      assert.equal(cells[1], person.name);
      assert.equal(cells[2], ROSTER_UNIT);
      assert.equal(cells[3], person.office || '—');
      assert.equal(cells[4], person.title);
      assert.match(cells[5], /教师/, `${person.staffId} must be a teacher by default`);
    }
    const zeros = page.locator('td.mono').filter({ hasText: /^00123$/ });
    assert.equal(await zeros.count(), 1, 'staff ID 00123 must keep its leading zeros');
    await screenshot(page, 'people-imported');
  });

  test('same file again changes nothing', async () => {
    const preview = await uploadRoster(page, server, roster.file);

    const summary = await preview.locator('.notice').textContent();
    assert.match(summary, /没有需要更新的内容/);
    const unchanged = preview.locator('.stat').filter({ hasText: '无变化' }).locator('.value');
    assert.equal(await unchanged.textContent(), '3');
    assert.equal(
      await preview.getByRole('button', { name: '确认导入' }).count(),
      0,
      'there must be nothing to confirm when the roster changes nothing',
    );
  });
});
