// Drives Debian's chromium through playwright-core, and the steps several tests share:
// signing in, the forced password change, layout checks and screenshots.

'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

/** Debian's chromium; playwright cannot download its own browser on these machines. */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Chromium flags for a closed network: without the background-networking flags chromium
 * keeps trying to reach Google's hosts, and every attempt is refused.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 800 };

/** Folder for screenshots, git-ignored; E2E_SCREENSHOTS overrides it. */
const SCREENSHOT_DIR =
  process.env.E2E_SCREENSHOTS || path.resolve(__dirname, '..', 'screenshots');

/** The password the admin sets in place of the one-time password. */
const ADMIN_NEW_PASSWORD = 'Xueshi-e2e-2024';

async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`chromium not found at ${CHROMIUM}; install it with \`apt-get install -y chromium\``);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Opens a page in a new browser context (own cookies) with the given viewport. */
async function newPage(browser, viewport = DESKTOP) {
  const context = await browser.newContext({
    viewport,
    locale: 'zh-CN',
    isMobile: viewport.width < 760,
    hasTouch: viewport.width < 760,
  });
  return context.newPage();
}

/**
 * Clicks a control that submits a plain form or follows a link, and waits until the
 * page the server returns (after any redirects) has loaded, whether it is a new page
 * or the same form with an error.
 */
async function clickAndWaitForPage(page, locator) {
  const navigated = page.waitForEvent('framenavigated', {
    predicate: (frame) => frame === page.mainFrame(),
  });
  await locator.click();
  await navigated;
  await page.waitForLoadState('load');
}

/** Fills the sign-in form on /login and submits it. */
async function signIn(page, url, staffId, password) {
  await page.goto(`${url}/login`);
  await page.getByLabel('工号').fill(staffId);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await clickAndWaitForPage(page, page.getByRole('button', { name: '登录' }));
}

/** Fills and submits the password form on /password. */
async function changePassword(page, current, next) {
  await page.getByLabel('当前密码').fill(current);
  await page.getByLabel('新密码', { exact: true }).fill(next);
  await page.getByLabel('再次输入新密码').fill(next);
  await clickAndWaitForPage(page, page.getByRole('button', { name: '保存新密码' }));
}

/**
 * Signs `admin` in with the one-time password and replaces it, leaving the page on the
 * home page with a settled password.
 */
async function signInAdminFirstTime(page, server) {
  await signIn(page, server.url, 'admin', server.adminPassword);
  assert.equal(new URL(page.url()).pathname, '/password', 'the first sign-in must lead to 修改密码');
  await changePassword(page, server.adminPassword, ADMIN_NEW_PASSWORD);
  assert.equal(new URL(page.url()).pathname, '/', 'after the password change the admin must reach the home page');
}

/**
 * Measures horizontal overflow of the current page. Returns the document's scroll width
 * and the elements whose right edge passes the viewport outside any scroll container
 * (an ancestor with `overflow-x` auto or scroll, such as `.table-wrap`).
 */
async function measureOverflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrollsSideways = (element) => {
      const overflow = getComputedStyle(element).overflowX;
      return overflow === 'auto' || overflow === 'scroll';
    };
    const insideScrollContainer = (element) => {
      for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
        if (scrollsSideways(parent)) {
          return true;
        }
      }
      return false;
    };
    const describe = (element) => {
      let name = element.tagName.toLowerCase();
      if (element.id) name += `#${element.id}`;
      if (element.classList.length) name += `.${[...element.classList].join('.')}`;
      const text = (element.textContent || '').trim().slice(0, 30);
      return text ? `${name} "${text}"` : name;
    };
    const sticking = [];
    for (const element of document.body.querySelectorAll('*')) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (box.right > width + 0.5 && !insideScrollContainer(element)) {
        sticking.push(`${describe(element)} (right edge ${Math.round(box.right)} px)`);
      }
    }
    return {
      viewportWidth: width,
      scrollWidth: document.scrollingElement.scrollWidth,
      sticking,
    };
  });
}

/** Asserts that the page does not scroll sideways and nothing sticks out of the viewport. */
async function assertNoHorizontalOverflow(page, label) {
  const { viewportWidth, scrollWidth, sticking } = await measureOverflow(page);
  assert.ok(
    scrollWidth <= viewportWidth,
    `${label}: the page scrolls sideways (scrollWidth ${scrollWidth} px > ${viewportWidth} px); ` +
      `elements past the edge: ${sticking.join('; ') || 'none found'}`,
  );
  assert.deepEqual(sticking, [], `${label}: elements stick out past the ${viewportWidth} px viewport`);
}

/** Saves a full-page screenshot as SCREENSHOT_DIR/NAME-WIDTH.png and returns its path. */
async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const { width } = page.viewportSize();
  const file = path.join(SCREENSHOT_DIR, `${name}-${width}.png`);
  // Hiding the caret would inject a <style> element, which the pages' CSP blocks and
  // reports as a console error.
  await page.screenshot({ path: file, fullPage: true, caret: 'initial' });
  return file;
}

/**
 * Collects the errors the page logs, leaving out the browser's note on the document's
 * own error status (a 403 page is meant to return 403).
 */
function collectErrors(page) {
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const isDocumentStatus =
      message.text().startsWith('Failed to load resource') && message.location().url === page.url();
    if (!isDocumentStatus) errors.push(message.text());
  });
  return errors;
}

/** Checks the page as loaded now, then saves its screenshot. */
async function checkPage(page, errors, name) {
  const { width } = page.viewportSize();
  await assertNoHorizontalOverflow(page, `${name} at ${width} px`);
  assert.deepEqual(errors.splice(0), [], `${name} at ${width} px must log no errors`);
  await screenshot(page, name);
}

module.exports = {
  checkPage,
  collectErrors,
  ADMIN_NEW_PASSWORD,
  DESKTOP,
  PHONE,
  assertNoHorizontalOverflow,
  changePassword,
  clickAndWaitForPage,
  launchBrowser,
  measureOverflow,
  newPage,
  screenshot,
  signIn,
  signInAdminFirstTime,
};
