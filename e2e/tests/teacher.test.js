// A demo teacher: administrator pages are closed to them, and the API returns who they are.

'use strict';

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const { startServer } = require('../lib/server');
const {
  DESKTOP,
  PHONE,
  assertNoHorizontalOverflow,
  launchBrowser,
  newPage,
  screenshot,
  signIn,
} = require('../lib/browser');

/** A teacher of the demo school's 声乐教研室 with no other role. */
const TEACHER = '2001101';
/** The director of that office, who is a teacher as well. */
const DIRECTOR = '2001100';

/** Exchanges a staff ID and password for a bearer token; returns the HTTP response. */
async function requestToken(server, staffId, password) {
  return fetch(`${server.url}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ staff_id: staffId, password }),
  });
}

async function tokenFor(server, staffId) {
  const response = await requestToken(server, staffId, server.demoPassword);
  assert.equal(response.status, 200, `POST /api/v1/auth/token for ${staffId}: ${await response.clone().text()}`);
  const body = await response.json();
  assert.equal(typeof body.token, 'string');
  assert.ok(body.token.length >= 20, 'the token must be a long random string');
  return body.token;
}

async function getJson(server, path, token) {
  const response = await fetch(`${server.url}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: await response.json() };
}

describe('demo teacher', () => {
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

  test('demo accounts are printed', () => {
    assert.ok(server.demoAccounts.has(TEACHER), `the server must list ${TEACHER} among the demo accounts`);
    assert.ok(server.demoAccounts.has(DIRECTOR), `the server must list ${DIRECTOR} among the demo accounts`);
  });

  for (const viewport of [PHONE, DESKTOP]) {
    test(`teacher gets 403 on admin page at ${viewport.width} px`, async () => {
      const page = await newPage(browser, viewport);
      const teacher = server.demoAccounts.get(TEACHER);

      await signIn(page, server.url, TEACHER, server.demoPassword);
      assert.equal(new URL(page.url()).pathname, '/', 'a demo teacher must land on the home page');
      await page.getByRole('heading', { name: `您好，${teacher.name}` }).waitFor();
      assert.equal(
        await page.getByRole('link', { name: '人员与角色' }).count(),
        0,
        'a teacher must not be offered the people page',
      );
      await screenshot(page, 'home-teacher');

      for (const path of ['/admin/people', '/admin/import/roster', '/admin/units']) {
        const response = await page.goto(`${server.url}${path}`);
        assert.equal(response.status(), 403, `${path} must answer 403 to a teacher`);
        await page.getByRole('heading', { name: '无法访问' }).waitFor();
        await page.getByText('您没有权限访问此页面').waitFor();
        assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
        assert.equal(await page.locator('table').count(), 0, `${path} must show no people to a teacher`);
      }
      if (viewport.width === PHONE.width) {
        await assertNoHorizontalOverflow(page, `403 page at ${viewport.width} px`);
      }
      await screenshot(page, 'forbidden');

      await page.context().close();
    });
  }

  test(
    '返回上一页 on 403 page goes back',
    async () => {
      const page = await newPage(browser, DESKTOP);
      await signIn(page, server.url, TEACHER, server.demoPassword);
      await page.goto(`${server.url}/admin/people`);
      await page.getByRole('heading', { name: '无法访问' }).waitFor();

      await page.getByRole('link', { name: '返回上一页' }).click();

      try {
        await page.waitForURL((target) => target.pathname === '/', { timeout: 5_000 });
      } finally {
        await page.context().close();
      }
    },
  );

  test('API returns the teacher and roles', async () => {
    const token = await tokenFor(server, TEACHER);

    const me = await getJson(server, '/api/v1/me', token);

    assert.equal(me.status, 200);
    assert.equal(me.body.staff_id, TEACHER);
    assert.equal(me.body.name, server.demoAccounts.get(TEACHER).name);
    assert.equal(me.body.unit, '音乐学院');
    assert.equal(me.body.office, '声乐教研室');
    assert.deepEqual(me.body.roles.map((role) => role.role), ['teacher']);

    const people = await getJson(server, '/api/v1/people', token);
    assert.equal(people.status, 403, 'the API must refuse the people list to a teacher');
    assert.equal(people.body.code, 'forbidden');
  });

  test('API returns an office director\'s two roles', async () => {
    const token = await tokenFor(server, DIRECTOR);

    const me = await getJson(server, '/api/v1/me', token);

    assert.equal(me.status, 200);
    const roles = new Map(me.body.roles.map((role) => [role.role, role]));
    assert.deepEqual([...roles.keys()].sort(), ['office-director', 'teacher']);
    assert.equal(roles.get('office-director').scope_name, '声乐教研室');
  });

  test('API rejects a wrong password and no token', async () => {
    const wrong = await requestToken(server, DIRECTOR, 'wrong-password-1');
    assert.equal(wrong.status, 401);

    const anonymous = await fetch(`${server.url}/api/v1/me`);
    assert.equal(anonymous.status, 401);
  });
});
