// The term's main job in a browser: a teacher files a claim on a phone with a
// certificate, the office director, the unit reviewer and the center approve it in
// turn, and the teacher finds the hours accredited. Then the center's reports open at a
// phone's width and on a desktop, with the past term's table and its downloads.

'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { after, before, describe, test } = require('node:test');

const { startServer } = require('../lib/server');
const {
  DESKTOP,
  PHONE,
  checkPage,
  clickAndWaitForPage,
  collectErrors,
  launchBrowser,
  newPage,
  signIn,
} = require('../lib/browser');

/** A teacher of 音乐学院's 声乐教研室, their office director and their unit reviewer. */
const TEACHER = '2001102';
const DIRECTOR = '2001100';
const UNIT_REVIEWER = '2001000';
/** A center administrator, who reviews at school level and reads the reports. */
const CENTER = '1000001';

const TOPIC = '高校教师教学能力提升线上培训班（第三期）';

/** Writes a small PDF in place of scanned training notes and returns its path. */
function writeCertificate() {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'xueshi-e2e-certificate-'));
  const file = path.join(folder, '培训记录.pdf');
  const body = [
    '%PDF-1.4',
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
    '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
    '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj',
    'trailer << /Root 1 0 R >>',
    '%%EOF',
    '',
  ].join('\n');
  fs.writeFileSync(file, body);
  return { file, folder, remove: () => fs.rmSync(folder, { recursive: true, force: true }) };
}

/**
 * Draws a certificate on a canvas in the browser, as a phone camera would return it, and
 * saves it as a JPEG in `folder`. Returns the file's path.
 */
async function photographCertificate(page, folder) {
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 480;
    const context = canvas.getContext('2d');
    context.fillStyle = '#fdf6e3';
    context.fillRect(0, 0, 640, 480);
    context.fillStyle = '#8b0000';
    context.font = '40px sans-serif';
    context.fillText('结业证书', 240, 120);
    context.fillStyle = '#333';
    context.font = '22px sans-serif';
    context.fillText('刘刚 同志参加高校教师教学能力提升培训班，成绩合格。', 40, 240);
    return canvas.toDataURL('image/jpeg', 0.9);
  });
  const file = path.join(folder, '证书照片.jpg');
  fs.writeFileSync(file, Buffer.from(dataUrl.split(',')[1], 'base64'));
  return file;
}

/** Returns the date `days` before today as YYYY-MM-DD in Beijing time. */
function daysAgo(days) {
  const shanghai = new Date(Date.now() + 8 * 3600 * 1000 - days * 86400 * 1000);
  return shanghai.toISOString().slice(0, 10);
}

/** Signs a reviewer in, opens the claim's review page and approves it with the default hours. */
async function approveAs(browser, server, staffId, claimPath, label) {
  const page = await newPage(browser, PHONE);
  const errors = collectErrors(page);
  await signIn(page, server.url, staffId, server.demoPassword);
  await page.goto(`${server.url}/reviews`);
  await checkPage(page, errors, `reviews-${label}`);
  await page.goto(`${server.url}${claimPath.replace('/claims/', '/reviews/')}`);
  await page.getByRole('heading', { name: TOPIC }).waitFor();
  await checkPage(page, errors, `review-claim-${label}`);
  await clickAndWaitForPage(page, page.getByRole('button', { name: '通过', exact: true }));
  const text = await page.locator('main').innerText();
  assert.doesNotMatch(text, /冲突|无权|错误/, `${label}'s approval must go through: ${text.slice(0, 300)}`);
  await page.context().close();
}

describe('claim, review and reports', () => {
  let server;
  let browser;
  let certificate;
  let claimPath;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    certificate = writeCertificate();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    certificate?.remove();
  });

  test('teacher submits claim on phone', async () => {
    const page = await newPage(browser, PHONE);
    const errors = collectErrors(page);
    await signIn(page, server.url, TEACHER, server.demoPassword);
    await page.goto(`${server.url}/claims`);
    await checkPage(page, errors, 'claims-teacher');

    await page.goto(`${server.url}/claims/new`);
    await checkPage(page, errors, 'claim-new');
    await page.locator('#category').selectOption('5');
    await page.getByLabel('培训主题').fill(TOPIC);
    await page.getByLabel('组织单位').fill('省教育厅高校师资培训中心');
    await page.getByLabel('开始日期').fill(daysAgo(10));
    await page.getByLabel('结束日期').fill(daysAgo(9));
    await page.getByLabel('申报学时').fill('12');
    await clickAndWaitForPage(page, page.getByRole('button', { name: '保存草稿' }));
    assert.match(new URL(page.url()).pathname, /^\/claims\/[^/]+$/, 'saving leads to the claim page');
    claimPath = new URL(page.url()).pathname;

    // The certificate is photographed with the camera field; the training notes are a PDF.
    const photo = await photographCertificate(page, certificate.folder);
    await page.locator('#kind').selectOption('certificate');
    await page.locator('#camera').setInputFiles(photo);
    await page.getByRole('button', { name: '上传' }).click();
    await page.getByText(path.basename(photo)).first().waitFor();
    await page.locator('#kind').selectOption('notes');
    await page.locator('#file').setInputFiles(certificate.file);
    await page.getByRole('button', { name: '上传' }).click();
    await page.getByText('培训记录.pdf').first().waitFor();
    await checkPage(page, errors, 'claim-draft');

    await clickAndWaitForPage(page, page.getByRole('button', { name: '提交审核' }));
    await page.goto(`${server.url}${claimPath}`);
    const text = await page.locator('main').innerText();
    assert.match(text, /待教研室审核/, `the claim waits for the office director: ${text.slice(0, 400)}`);
    await page.context().close();
  });

  test('three levels approve in turn', async () => {
    assert.ok(claimPath, 'the first test filed the claim');
    await approveAs(browser, server, DIRECTOR, claimPath, 'office');
    await approveAs(browser, server, UNIT_REVIEWER, claimPath, 'unit');
    await approveAs(browser, server, CENTER, claimPath, 'school');

    const page = await newPage(browser, PHONE);
    await signIn(page, server.url, TEACHER, server.demoPassword);
    await page.goto(`${server.url}${claimPath}`);
    const text = await page.locator('main').innerText();
    assert.match(text, /已认定/, `the claim is accredited: ${text.slice(0, 400)}`);
    assert.match(text, /12/, 'the accredited hours are shown');
    await page.context().close();
  });

  for (const viewport of [PHONE, DESKTOP]) {
    test(`center reports fit at ${viewport.width} px`, async () => {
      const page = await newPage(browser, viewport);
      const errors = collectErrors(page);
      await signIn(page, server.url, CENTER, server.demoPassword);

      await page.goto(`${server.url}/reports?term=2022-2023-2`);
      const table = await page.locator('main').innerText();
      for (const unit of ['音乐学院', '信息工程学院', '其他单位', '合计']) {
        assert.ok(table.includes(unit), `the table names ${unit}`);
      }
      assert.ok(table.includes('4018'), 'the total submitted is the notice text’s 4018');
      await checkPage(page, errors, 'reports-units');

      await page.goto(`${server.url}/reports/dashboard`);
      await page.locator('canvas, svg').first().waitFor({ timeout: 10_000 });
      await checkPage(page, errors, 'reports-dashboard');
      await page.context().close();
    });
  }

  // Every other page of the new work, as the role that uses it, at a phone's width.
  const PAGES = [
    [TEACHER, '/transcripts', 'transcripts'],
    [TEACHER, '/verify', 'verify'],
    [UNIT_REVIEWER, '/ledger', 'ledger'],
    [UNIT_REVIEWER, '/ledger/new', 'ledger-new'],
    [UNIT_REVIEWER, '/reports/reasons', 'unit-reasons'],
    [CENTER, '/admin/terms', 'terms'],
    [CENTER, '/admin/import/history', 'import-history'],
    [CENTER, '/reports/reasons?term=2022-2023-2', 'reports-reasons'],
    [CENTER, '/reports/categories?term=2022-2023-2', 'reports-categories'],
    [CENTER, '/reports/review?term=2022-2023-2', 'reports-review'],
    [CENTER, '/reports/ledger', 'reports-ledger'],
    [CENTER, '/reports/hours?term=2022-2023-2', 'reports-hours'],
    [CENTER, '/reports/exports?term=2022-2023-2', 'reports-exports'],
  ];
  test('other pages fit on a phone', async () => {
    const pages = new Map();
    for (const [staffId, pagePath, name] of PAGES) {
      if (!pages.has(staffId)) {
        const page = await newPage(browser, PHONE);
        const errors = collectErrors(page);
        await signIn(page, server.url, staffId, server.demoPassword);
        pages.set(staffId, { page, errors });
      }
      const { page, errors } = pages.get(staffId);
      const response = await page.goto(`${server.url}${pagePath}`);
      assert.equal(response.status(), 200, `${pagePath} as ${staffId}`);
      await checkPage(page, errors, name);
    }
    for (const { page } of pages.values()) {
      await page.context().close();
    }
  });

  test('report files download', async () => {
    const page = await newPage(browser, DESKTOP);
    await signIn(page, server.url, CENTER, server.demoPassword);
    for (const [file, type] of [
      ['units.xlsx', 'spreadsheetml'],
      ['units.csv', 'text/csv'],
      ['notice.docx', 'wordprocessingml'],
    ]) {
      const response = await page.request.get(`${server.url}/reports/${file}?term=2022-2023-2`);
      assert.equal(response.status(), 200, `${file}: ${await response.text()}`);
      assert.match(response.headers()['content-type'], new RegExp(type), file);
      assert.match(response.headers()['content-disposition'], /attachment/, file);
      const body = await response.body();
      assert.ok(body.length > 200, `${file} has content`);
    }
    await page.context().close();
  });
});
