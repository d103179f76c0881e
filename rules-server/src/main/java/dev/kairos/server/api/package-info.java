/** The error shape every endpoint answers with: {@code {"error": {"code", "message", "field"}}}. */
package dev.kairos.server.api;
