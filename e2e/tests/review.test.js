// Review pages of the demo school at a phone's width and on a desktop: an office
// director's queue and review page, a teacher's notifications and the center's rejection
// reasons. Nothing may stick out sideways except inside a scroll container, and no page
// may log a script or security-policy error. Each page is saved as a screenshot.

'use strict';

const assert = require('node:assert/strict');
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
  screenshot,
  signIn,
} = require('../lib/browser');

/** The director of 音乐学院's 器乐教研室. */
const DIRECTOR = '2001200';
/** A teacher of that office whose claim the school overturned. */
const TEACHER = '2001202';
/** A center administrator. */
const CENTER = '1000001';
/** The demo's claim without flags waiting at the office. */
const WAITING_TOPIC = '高校钢琴伴奏艺术专题网络培训';

describe('review pages at phone and desktop width', () => {
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
    test(`review pages fit at ${viewport.width} px`, async () => {
      const director = await newPage(browser, viewport);
      const directorErrors = collectErrors(director);
      await signIn(director, server.url, DIRECTOR, server.demoPassword);
      await director.goto(`${server.url}/reviews`);
      await checkPage(director, directorErrors, 'review-queue');
      await clickAndWaitForPage(director, director.getByRole('link', { name: WAITING_TOPIC }).first());
      assert.match(new URL(director.url()).pathname, /^\/reviews\/[0-9a-f-]+$/);
      await checkPage(director, directorErrors, 'review-claim');

      const teacher = await newPage(browser, viewport);
      const teacherErrors = collectErrors(teacher);
      await signIn(teacher, server.url, TEACHER, server.demoPassword);
      const navLink = teacher.getByRole('navigation').getByRole('link', { name: /通知/ });
      assert.match(await navLink.innerText(), /通知\s*\d+/, 'the navigation shows the unread count');
      await teacher.goto(`${server.url}/notifications`);
      await teacher.getByText('原因：不在认定范围').first().waitFor();
      await checkPage(teacher, teacherErrors, 'notifications');

      const center = await newPage(browser, viewport);
      const centerErrors = collectErrors(center);
      await signIn(center, server.url, CENTER, server.demoPassword);
      await center.goto(`${server.url}/admin/reasons`);
      await center.getByRole('heading', { name: '未通过原因' }).waitFor();
      await checkPage(center, centerErrors, 'admin-reasons');

      await director.context().close();
      await teacher.context().close();
      await center.context().close();
    });
  }
});
