// Every page the administrator uses, at a phone's width and on a desktop. Nothing may
// stick out sideways except inside a scroll container such as `.table-wrap`, and no
// page may log a script or security-policy error. Each page is saved as a screenshot
// for a person to look at.

'use strict';

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const { startServer } = require('../lib/server');
const {
  ADMIN_NEW_PASSWORD,
  DESKTOP,
  PHONE,
  changePassword,
  checkPage,
  collectErrors,
  launchBrowser,
  newPage,
  screenshot,
  signIn,
} = require('../lib/browser');
const { ROSTER_UNIT, writeRosterCsv } = require('../lib/roster');


describe('layout at phone and desktop width', () => {
  let server;
  let browser;
  let roster;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    roster = writeRosterCsv();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    roster?.remove();
  });

  for (const viewport of [PHONE, DESKTOP]) {
    test(`admin pages fit at ${viewport.width} px`, async () => {
      const page = await newPage(browser, viewport);
      const errors = collectErrors(page);

      if (viewport === PHONE) {
        await signIn(page, server.url, 'admin', server.adminPassword);
        await page.getByRole('heading', { name: '修改密码' }).waitFor();
        await checkPage(page, errors, 'password-forced');
        await changePassword(page, server.adminPassword, ADMIN_NEW_PASSWORD);
      } else {
        await signIn(page, server.url, 'admin', ADMIN_NEW_PASSWORD);
      }
      await page.getByRole('heading', { name: '管理概况' }).waitFor();
      await checkPage(page, errors, 'home-admin');

      await page.goto(`${server.url}/admin/units`);
      await page.getByRole('heading', { name: '单位与教研室' }).waitFor();
      await checkPage(page, errors, 'units');

      await page.getByRole('link', { name: '音乐学院', exact: true }).click();
      await page.getByRole('heading', { name: /音乐学院/ }).waitFor();
      await checkPage(page, errors, 'unit-detail');

      await page.goto(`${server.url}/admin/people`);
      await page.getByRole('heading', { name: '人员与角色' }).waitFor();
      assert.ok(
        (await page.locator('.table-wrap table tbody tr').count()) > 10,
        'the people list must show the demo school',
      );
      await checkPage(page, errors, 'people');

      await page.locator('.table-wrap').getByRole('link', { name: '2001101' }).click();
      await page.getByRole('heading', { name: /2001101/ }).waitFor();
      await checkPage(page, errors, 'person-detail');

      await page.goto(`${server.url}/admin/import/roster`);
      await page.getByRole('heading', { name: '导入教职工名单' }).waitFor();
      await checkPage(page, errors, 'import');

      // A preview only: nothing is written, so both widths see the same preview.
      await page.getByLabel('名单文件').setInputFiles(roster.file);
      await page.getByRole('button', { name: '上传并预览' }).click();
      await page.locator('#preview').getByText(`将新建单位：${ROSTER_UNIT}`).waitFor();
      await checkPage(page, errors, 'import-preview');

      await page.context().close();
    });
  }
});
