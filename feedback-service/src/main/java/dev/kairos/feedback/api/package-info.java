/** The feedback service's own error handlers (query timeouts); the error shape and the common handlers are in {@code dev.kairos.service.api}. */
package dev.kairos.feedback.api;
