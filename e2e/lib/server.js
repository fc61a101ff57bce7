// Starts the real `xueshi serve --demo` on a free loopback port with a fresh data folder,
// reads the one-time admin password and the demo accounts from its standard output,
// and stops it again.

'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: delay } = require('node:timers/promises');

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Password of every demo account; the server reads it from XUESHI_DEMO_PASSWORD. */
const DEMO_PASSWORD = 'e2e-Demo-2024';

/** How long the server may take to respond to its first request, in milliseconds. */
const START_TIMEOUT_MS = 60_000;

/** How long a stopping server may take to exit before it is killed, in milliseconds. */
const STOP_TIMEOUT_MS = 10_000;

/** Path of the xueshi binary: XUESHI_BIN, else the debug build in the Cargo target folder. */
function binaryPath() {
  if (process.env.XUESHI_BIN) {
    return process.env.XUESHI_BIN;
  }
  const target = process.env.CARGO_TARGET_DIR || path.join(REPO_ROOT, 'target');
  return path.join(target, 'debug', 'xueshi');
}

/** Asks the kernel for a free port on 127.0.0.1 and releases it for the server to take. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Reads the first administrator's one-time password from the server's output, printed
 * as a line `工号：admin` followed by a line `一次性密码：…`.
 */
function parseAdminPassword(output) {
  const match = output.match(/工号：admin\s*\n\s*一次性密码：(\S+)/);
  return match ? match[1] : null;
}

/**
 * Reads the demo accounts the server lists after `演示账户`: one line each with staff
 * ID, name and role, indented by two spaces. Returns a map from staff ID to
 * `{ staffId, name, role }`.
 */
function parseDemoAccounts(output) {
  const accounts = new Map();
  const start = output.indexOf('演示账户');
  if (start < 0) {
    return accounts;
  }
  const lines = output.slice(start).split('\n').slice(1);
  for (const line of lines) {
    const match = line.match(/^ {2}(\S+)\s+(\S+)\s+(\S+)\s*$/);
    if (!match) {
      break;
    }
    accounts.set(match[1], { staffId: match[1], name: match[2], role: match[3] });
  }
  return accounts;
}

/**
 * Polls `GET /login` until it returns 200, the process exits, or the time runs out.
 * The server reports no readiness, so polling at a short interval is the only way.
 */
async function waitUntilAnswering(url, child, output) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `xueshi exited (code ${child.exitCode}, signal ${child.signalCode}) before responding at ${url}.\n` +
          `stdout:\n${output.stdout}\nstderr:\n${output.stderr}`,
      );
    }
    try {
      const response = await fetch(`${url}/login`, { redirect: 'manual' });
      if (response.status === 200) {
        return;
      }
    } catch {
      // Not listening yet: try again.
    }
    await delay(100);
  }
  throw new Error(
    `timed out after ${START_TIMEOUT_MS} ms waiting for xueshi to respond at ${url}.\n` +
      `stdout:\n${output.stdout}\nstderr:\n${output.stderr}`,
  );
}

/**
 * Starts `xueshi serve --demo` with a fresh data folder. Returns
 * `{ url, adminPassword, demoPassword, demoAccounts, output, stop }`; call `stop()`
 * once the tests are done.
 */
async function startServer() {
  const binary = binaryPath();
  if (!fs.existsSync(binary)) {
    throw new Error(
      `xueshi binary not found at ${binary}. Build it with \`cargo build -p xueshi\`, ` +
        'or set XUESHI_BIN to its path.',
    );
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xueshi-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  const env = { ...process.env, XUESHI_DEMO_PASSWORD: DEMO_PASSWORD, NO_COLOR: '1' };
  delete env.XUESHI_DATABASE_URL;
  const child = spawn(
    binary,
    ['serve', '--demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    output.stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output.stderr += chunk;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    if (!process.env.E2E_KEEP_DATA) {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  };

  try {
    await waitUntilAnswering(url, child, output);
  } catch (error) {
    await stop();
    throw error;
  }

  // The banner is printed before the server binds its port, so it is complete by now.
  const adminPassword = parseAdminPassword(output.stdout);
  if (!adminPassword) {
    await stop();
    throw new Error(`no one-time admin password in the server's output:\n${output.stdout}`);
  }
  return {
    url,
    dataDir,
    adminPassword,
    demoPassword: DEMO_PASSWORD,
    demoAccounts: parseDemoAccounts(output.stdout),
    output,
    stop,
  };
}

module.exports = { startServer, DEMO_PASSWORD, parseAdminPassword, parseDemoAccounts };
