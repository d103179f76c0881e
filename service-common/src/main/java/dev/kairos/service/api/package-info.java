/**
 * The HTTP error shape both Kairos services answer with, {@code {"error": {"code", "message", "field"}}}:
 * {@link dev.kairos.service.api.ApiException} for a refusal, its handler, the handler for malformed
 * JSON, and the body provider that gives the framework's own errors the same shape.
 */
package dev.kairos.service.api;
