/** API keys: app write keys for ingest and decide, the admin key for rule management. */
package dev.kairos.server.auth;
