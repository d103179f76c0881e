/** rules-server's own error handlers (invalid facts input); the error shape and the common handlers are in {@code dev.kairos.service.api}. */
package dev.kairos.server.api;
