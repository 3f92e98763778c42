// Throttled failed logins in Express 5 with express-rate-limit
// (npm install express express-rate-limit bcryptjs).
// Serve it over TLS: behind a reverse proxy, or with TLS_CERT and TLS_KEY set (PEM files).
"use strict";
const fs = require("node:fs");
const http = require("node:http");
const https = require("node:https");
const bcrypt = require("bcryptjs");
const express = require("express");
const { rateLimit } = require("express-rate-limit");

const app = express();
app.disable("x-powered-by");
// The limiter counts per req.ip, the connection's address: a client cannot choose it with an
// X-Forwarded-For header. Behind exactly one reverse proxy, trust that one hop and no more:
// app.set("trust proxy", 1);

// 10 failed logins per 15 minutes per client address, then 429 with Retry-After. Only 401
// answers count. The default store counts in this process only: with several processes or
// hosts use a shared one (e.g. rate-limit-redis).
const failedLogins = rateLimit({
  windowMs: 15 * 60 * 1000,
  limit: 10,
  skipSuccessfulRequests: true,
  requestWasSuccessful: (req, res) => res.statusCode !== 401,
  standardHeaders: "draft-8",
  legacyHeaders: false,
  message: { error: "too many failed logins" },
});

// user name -> bcrypt hash, from your user store (made here so the example runs)
const USERS = new Map([["carol", bcrypt.hashSync("correct-horse-battery", 12)]]);
const DUMMY_HASH = bcrypt.hashSync("no user has this password", 12);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

// The user the Authorization header proves, or null: for every kind of failure.
async function authenticatedUser(header) {
  const [scheme, token, extra] = (header || "").trim().split(/\s+/);
  // Buffer.from(..., "base64") never fails: it skips what is not base64, so check first
  if (!/^basic$/i.test(scheme || "") || !token || extra || !BASE64.test(token)) return null;
  const decoded = Buffer.from(token, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  // bcrypt reads only the first 72 bytes: refuse longer passwords (and at sign-up too)
  if (Buffer.byteLength(password, "utf8") > 72) return null;
  const stored = USERS.get(user) ?? DUMMY_HASH; // the same bcrypt work for unknown users
  const matches = await bcrypt.compare(password, stored);
  return matches && USERS.has(user) ? user : null; // the name and the password, together
}

async function basicAuth(req, res, next) {
  const user = await authenticatedUser(req.get("authorization"));
  if (user === null) {
    // one answer for every failure (unknown user, wrong password, malformed header)
    res.set("WWW-Authenticate", 'Basic realm="api", charset="UTF-8"');
    return res.status(401).json({ error: "invalid credentials" });
  }
  req.user = user;
  return next();
}

// the limiter runs first, so a throttled client gets its 429 before any bcrypt work
app.get("/api/data", failedLogins, basicAuth, (req, res) => {
  res.json({ user: req.user, items: [1, 2, 3] });
});

// Errors: a generic JSON answer, the details in the server's log only
app.use((err, req, res, next) => {
  console.error(err);
  res.status(500).json({ error: "internal error" });
});

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || "127.0.0.1";
const server = process.env.TLS_CERT
  ? https.createServer(
      { cert: fs.readFileSync(process.env.TLS_CERT), key: fs.readFileSync(process.env.TLS_KEY) },
      app)
  : http.createServer(app);
server.listen(port, host, () => console.log(`listening on ${port}`));
