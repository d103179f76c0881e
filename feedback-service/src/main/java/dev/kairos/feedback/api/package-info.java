/** The API's error shape ({@code {"error": {"code", "message", "field"}}}), the same as rules-server's. */
package dev.kairos.feedback.api;
