// The sign-in page and the administrator's first sign-in with the printed one-time
// password.

'use strict';

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const { startServer } = require('../lib/server');
const {
  ADMIN_NEW_PASSWORD,
  DESKTOP,
  PHONE,
  assertNoHorizontalOverflow,
  changePassword,
  clickAndWaitForPage,
  launchBrowser,
  newPage,
  screenshot,
  signIn,
} = require('../lib/browser');

describe('sign-in', () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const viewport of [PHONE, DESKTOP]) {
    test(`sign-in page in Chinese at ${viewport.width} px`, async () => {
      const page = await newPage(browser, viewport);

      await page.goto(`${server.url}/`);

      const url = new URL(page.url());
      assert.equal(url.pathname, '/login', 'the root must redirect to the sign-in page');
      assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
      assert.equal(await page.title(), '登录 · 学时');
      await page.getByRole('heading', { name: '登录' }).waitFor();
      assert.ok(await page.getByLabel('工号').isVisible(), 'the 工号 field must be visible');
      assert.ok(await page.getByLabel('密码', { exact: true }).isVisible(), 'the 密码 field must be visible');
      assert.ok(await page.getByRole('button', { name: '登录' }).isVisible(), 'the 登录 button must be visible');
      await assertNoHorizontalOverflow(page, `/login at ${viewport.width} px`);
      await screenshot(page, 'login');

      await page.context().close();
    });
  }

  test('wrong password shows a Chinese error', async () => {
    const page = await newPage(browser, PHONE);

    await signIn(page, server.url, '2001101', 'not-the-password-1');

    assert.equal(new URL(page.url()).pathname, '/login');
    await page.getByRole('alert').filter({ hasText: '工号或密码不正确' }).waitFor();
    await screenshot(page, 'login-error');

    await page.context().close();
  });

  test('admin must change the one-time password first', async () => {
    const page = await newPage(browser, DESKTOP);

    await signIn(page, server.url, 'admin', server.adminPassword);
    assert.equal(new URL(page.url()).pathname, '/password', 'the first sign-in must lead to 修改密码');
    await page.getByRole('heading', { name: '修改密码' }).waitFor();
    await page.getByText('这是您首次登录').waitFor();
    await screenshot(page, 'password-forced');

    for (const blocked of ['/', '/admin/people', '/admin/import/roster']) {
      await page.goto(`${server.url}${blocked}`);
      assert.equal(
        new URL(page.url()).pathname,
        '/password',
        `${blocked} must send an admin who has not changed the one-time password back to 修改密码`,
      );
    }

    await changePassword(page, server.adminPassword, ADMIN_NEW_PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/', 'after the change the admin must reach the home page');
    await page.getByRole('status').filter({ hasText: '密码已修改' }).waitFor();
    await page.getByRole('heading', { name: /^您好/ }).waitFor();
    await page.getByRole('heading', { name: '管理概况' }).waitFor();
    await screenshot(page, 'home-admin');

    await page.goto(`${server.url}/admin/people`);
    assert.equal(new URL(page.url()).pathname, '/admin/people');
    await page.getByRole('heading', { name: '人员与角色' }).waitFor();

    await clickAndWaitForPage(page, page.getByRole('button', { name: '退出' }));
    assert.equal(new URL(page.url()).pathname, '/login');
    await page.getByText('您已安全退出').waitFor();

    await signIn(page, server.url, 'admin', server.adminPassword);
    assert.equal(new URL(page.url()).pathname, '/login', 'the one-time password must no longer work');
    await page.getByRole('alert').filter({ hasText: '工号或密码不正确' }).waitFor();

    await signIn(page, server.url, 'admin', ADMIN_NEW_PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/', 'the new password must lead straight to the home page');
    await page.getByRole('heading', { name: '管理概况' }).waitFor();

    await page.context().close();
  });
});
