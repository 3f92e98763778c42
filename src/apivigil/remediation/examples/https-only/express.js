// HTTPS only, with HSTS, in Express 5 (npm install express).
// Best done at the proxy; this is the same in the app: it serves HTTPS itself (TLS_CERT and
// TLS_KEY, PEM files) and answers every http:// request with a redirect.
"use strict";
const fs = require("node:fs");
const http = require("node:http");
const https = require("node:https");
const express = require("express");

const HTTPS_PORT = Number(process.env.HTTPS_PORT || 443); // the port clients reach HTTPS on
const HTTP_PORT = Number(process.env.HTTP_PORT || 80);
const HOST = process.env.HOST || "127.0.0.1";

const app = express();
app.disable("x-powered-by");
// Behind one reverse proxy that sets X-Forwarded-Proto, trust that one hop and no more:
// app.set("trust proxy", 1);

app.use((req, res, next) => {
  if (!req.secure) {
    // before any route and any credential check; req.hostname has no port (an IPv6
    // literal keeps its brackets), so the redirect goes to the HTTPS port, not this one
    const port = HTTPS_PORT === 443 ? "" : `:${HTTPS_PORT}`;
    // 308: permanent, and the method and body are kept
    return res.redirect(308, `https://${req.hostname}${port}${req.originalUrl}`);
  }
  res.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  return next();
});

app.get("/api/data", (req, res) => {
  res.json({ items: [1, 2, 3] });
});

const tls = {
  cert: fs.readFileSync(process.env.TLS_CERT),
  key: fs.readFileSync(process.env.TLS_KEY),
};
https.createServer(tls, app).listen(HTTPS_PORT, HOST, () => {
  http.createServer(app).listen(HTTP_PORT, HOST, () => {
    console.log(`listening on ${HTTPS_PORT} (https) and ${HTTP_PORT} (http)`);
  });
});
